/**
 * The flags in the Deployments' container args are the flags the CLI actually has: each one is an option of the
 * subcommand (commander's own definition, from buildProgram), and every required option is given.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { buildProgram } from '../../../cli/main.js';
import { systemClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logger.js';
import { onlyObject } from './manifest-files.js';

const program = buildProgram({
  stdout: () => undefined,
  stderr: () => undefined,
  createLogger: () => silentLogger(),
  clock: systemClock,
  stopSignal: new Promise(() => undefined),
});

function containerArgs(deployment: string): string[] {
  return (onlyObject('Deployment', deployment) as unknown as V1Deployment).spec!.template.spec!.containers[0]!.args!;
}

describe.each([
  ['metricops-webhook', 'webhook'],
  ['metricops-feedback', 'feedback'],
])('Deployment %s runs `metricops %s`', (deployment, subcommand) => {
  const args = containerArgs(deployment);
  const command = program.commands.find((candidate) => candidate.name() === subcommand)!;
  const flags = args.slice(1).map((arg) => arg.split('=')[0]!);

  test('the first argument is the subcommand', () => {
    expect(args[0]).toBe(subcommand);
    expect(command).toBeDefined();
  });

  test('every flag is an option of the subcommand, written --flag=value', () => {
    const known = command.options.map((option) => option.long);
    expect(flags.filter((flag) => !known.includes(flag))).toEqual([]);
    expect(args.slice(1).filter((arg) => !/^--[a-z-]+(=.+)?$/.test(arg))).toEqual([]);
  });

  test('every required option is given', () => {
    const required = command.options.filter((option) => option.mandatory).map((option) => option.long);
    expect(required.filter((flag) => !flags.includes(flag!))).toEqual([]);
  });
});

describe('paths the feedback pipeline writes to', () => {
  test('--data-dir is on a writable emptyDir mount (the root filesystem is read-only)', () => {
    const spec = (onlyObject('Deployment', 'metricops-feedback') as unknown as V1Deployment).spec!.template.spec!;
    const container = spec.containers[0]!;
    const dataDir = container.args!.find((arg) => arg.startsWith('--data-dir='))?.slice('--data-dir='.length);
    const emptyDirs = new Set((spec.volumes ?? []).filter((volume) => volume.emptyDir).map((volume) => volume.name));
    const writable = (container.volumeMounts ?? []).filter((mount) => mount.readOnly !== true && emptyDirs.has(mount.name));
    expect(dataDir).toBeDefined();
    expect(writable.some((mount) => dataDir === mount.mountPath || dataDir!.startsWith(`${mount.mountPath}/`))).toBe(true);
  });

  test('$HOME (git and ssh write there) is the same writable mount, which exists', () => {
    const container = (onlyObject('Deployment', 'metricops-feedback') as unknown as V1Deployment).spec!.template.spec!.containers[0]!;
    const home = container.env?.find((variable) => variable.name === 'HOME')?.value;
    const dataDir = container.args!.find((arg) => arg.startsWith('--data-dir='))!.slice('--data-dir='.length);
    expect(home === dataDir || home?.startsWith(`${dataDir}/`)).toBe(true);
  });
});
