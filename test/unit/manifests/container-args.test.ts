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
