import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './manifest-files.js';

interface Instruction {
  keyword: string;
  argument: string;
  line: number;
}

/** Dockerfile instructions with continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: Instruction | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1).trim() : line;
    if (pending) pending.argument = `${pending.argument} ${body}`.trim();
    else {
      const [keyword = '', ...rest] = body.split(/\s+/);
      pending = { keyword: keyword.toUpperCase(), argument: rest.join(' '), line: index + 1 };
    }
    if (!continued) {
      result.push(pending);
      pending = undefined;
    }
  });
  return result;
}

/** Instructions grouped by build stage (each FROM starts one), ARGs before the first FROM excluded. */
function stages(all: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') result.push([instruction]);
    else result.at(-1)?.push(instruction);
  }
  return result;
}

const dockerfile = instructions(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const [build, runtime] = stages(dockerfile);
const arguments_ = (stage: Instruction[] | undefined, keyword: string) => (stage ?? []).filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.argument);

describe('Dockerfile', () => {
  test('has two stages: build, then runtime', () => {
    expect(stages(dockerfile)).toHaveLength(2);
    expect(build![0]!.argument).toMatch(/ AS build$/);
    expect(runtime![0]!.argument).toMatch(/ AS runtime$/);
  });

  test('both stages use one Node 22 bookworm-slim base pinned to an exact release', () => {
    const baseArgument = dockerfile.find((instruction) => instruction.keyword === 'ARG' && instruction.argument.startsWith('NODE_IMAGE='));
    expect(baseArgument?.argument).toMatch(/^NODE_IMAGE=node:22\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    expect(build![0]!.argument).toBe('${NODE_IMAGE} AS build');
    expect(runtime![0]!.argument).toBe('${NODE_IMAGE} AS runtime');
  });

  test('the build stage installs every dependency exactly as locked (npm ci) and compiles with tsc', () => {
    const runs = arguments_(build, 'RUN');
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    expect(runs.filter((run) => /\bnpm (install|i)\b/.test(run))).toEqual([]);
    expect(runs.some((run) => run.includes('tsc -p tsconfig.build.json'))).toBe(true);
  });

  test('the runtime stage installs production dependencies only, exactly as locked (npm ci), plus git for simple-git', () => {
    const runs = arguments_(runtime, 'RUN');
    expect(runs.some((run) => /\bnpm ci --omit=dev\b/.test(run))).toBe(true);
    expect(runs.filter((run) => /\bnpm (install|i)\b/.test(run))).toEqual([]);
    expect(runs.some((run) => /apt-get install .*\bgit\b/.test(run))).toBe(true);
    expect(arguments_(runtime, 'COPY')).toContain('--from=build /src/dist ./dist');
  });

  test('the runtime stage runs as uid and gid 65532, the user the manifests require', () => {
    expect(arguments_(runtime, 'USER')).toEqual(['65532:65532']);
    const lastUser = runtime!.findLastIndex((instruction) => instruction.keyword === 'USER');
    expect(runtime!.slice(lastUser).filter((instruction) => instruction.keyword === 'RUN')).toEqual([]);
  });

  test('the entrypoint is the metricops CLI behind an init process', () => {
    expect(arguments_(runtime, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "metricops"]']);
  });

  test('every source folder the build compiles is copied into the build stage', () => {
    const tsconfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const copied = arguments_(build, 'COPY').map((argument) => argument.split(' ')[0]);
    expect(copied).toEqual(expect.arrayContaining(tsconfig.include));
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  test('keeps local state and secrets out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '**/certs', '**/*.key']));
  });

  test('excludes nothing the Dockerfile copies from the context', () => {
    const copied = dockerfile
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.argument.startsWith('--from='))
      .flatMap((instruction) => instruction.argument.split(/\s+/).slice(0, -1));
    expect(copied.filter((source) => ignored.includes(source) || ignored.includes(source.replace(/^\.\//, '')))).toEqual([]);
    expect(copied.length).toBeGreaterThan(5);
  });
});
