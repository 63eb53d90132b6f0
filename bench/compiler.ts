/**
 * Compiler benchmark: 1,000 generated Sloth `prometheus/v1` SLOs compiled by `metricops compile` and by
 * `sloth generate` (built from the Go module proxy by bench/build-sloth.sh), both as a user runs them (whole
 * CLI, fresh output folder each run), plus metricops' in-process steps to show where the time goes.
 * Goal: metricops at least 2x faster than Sloth. metricops runs in both layouts: `--layout input` writes what
 * Sloth writes (one file per input file), the default one file per SLO. Env: BENCH_SLOS (default 1000), BENCH_REPEAT
 * (default 5).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../slo-compiler/compile.js';
import { writeCompiledRules } from '../slo-compiler/output/write.js';
import { loadSpecs } from '../slo-compiler/inputs/load.js';
import { writeSlothSpecs } from './compiler/sloth-specs.js';
import type { BenchPart } from './run.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_BUFFER = 256 * 2 ** 20;

interface Timing {
  label: string;
  command: string;
  samples: number[];
  cpu: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Wall-clock and CPU ms (user + system) of an in-process step. */
async function timed(action: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  // Collect the previous step's garbage first (the runner has --expose-gc), so each step pays only for its own.
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await action();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
}

const TIME = '/usr/bin/time';

/** Runs a command; wall-clock ms, and its CPU ms (user + system) when GNU time is installed. */
async function runTimed(command: string, args: string[], work: string): Promise<{ wall: number; cpu: number | null }> {
  const hasTime = await access(TIME).then(() => true, () => false);
  const report = join(work, 'time.txt');
  const start = performance.now();
  if (hasTime) await run(TIME, ['-f', '%U %S', '-o', report, command, ...args], { maxBuffer: MAX_BUFFER });
  else await run(command, args, { maxBuffer: MAX_BUFFER });
  const wall = performance.now() - start;
  if (!hasTime) return { wall, cpu: null };
  const [user, system] = (await readFile(report, 'utf8')).trim().split(/\s+/).map(Number);
  return { wall, cpu: ((user ?? 0) + (system ?? 0)) * 1000 };
}

function availableCpus(): number {
  return availableParallelism();
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

async function buildSloth(): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'bench', 'build-sloth.sh')], { maxBuffer: MAX_BUFFER });
  return stdout.trim().split('\n').pop()!;
}

const part: BenchPart = {
  name: 'compiler',
  async run() {
    const total = Number(process.env.BENCH_SLOS ?? 1000);
    const repeat = Number(process.env.BENCH_REPEAT ?? 5);
    const sloth = await buildSloth();
    const { stdout: slothVersion } = await run(sloth, ['version']);
    const work = await mkdtemp(join(tmpdir(), 'metricops-bench-compiler-'));
    try {
      const specs = join(work, 'specs');
      const files = await writeSlothSpecs(specs, total);
      const bin = join(repoRoot, 'bin', 'metricops.js');
      const ours: Timing = { label: 'metricops compile --layout input (CLI)', command: `node bin/metricops.js compile SPECS --out OUT --layout input`, samples: [], cpu: [] };
      const perSlo: Timing = { label: 'metricops compile (CLI, default layout)', command: `node bin/metricops.js compile SPECS --out OUT`, samples: [], cpu: [] };
      const theirs: Timing = { label: `sloth generate ${slothVersion.trim()} (CLI)`, command: 'sloth generate -i SPECS -o OUT', samples: [], cpu: [] };
      const startup: Timing = { label: 'node bin/metricops.js --version (start-up only)', command: 'node bin/metricops.js --version', samples: [], cpu: [] };
      let outputs = { ours: 0, perSlo: 0, theirs: 0 };
      const loads: number[] = [loadavg()[0]!];

      // One untimed run each first: warms the file cache and checks that both accept every spec.
      for (let round = 0; round <= repeat; round += 1) {
        const ourOut = join(work, `ours-${round}`);
        const perSloOut = join(work, `per-slo-${round}`);
        const theirOut = join(work, `theirs-${round}`);
        await mkdir(theirOut, { recursive: true }); // sloth generate wants an existing output folder
        const results = [
          [ours, await runTimed(process.execPath, [bin, 'compile', specs, '--out', ourOut, '--layout', 'input'], work)],
          [theirs, await runTimed(sloth, ['generate', '--no-log', '-i', specs, '-o', theirOut], work)],
          [perSlo, await runTimed(process.execPath, [bin, 'compile', specs, '--out', perSloOut], work)],
          [startup, await runTimed(process.execPath, [bin, '--version'], work)],
        ] as const;
        loads.push(loadavg()[0]!);
        if (round === 0) {
          outputs = { ours: await countFiles(ourOut), perSlo: await countFiles(perSloOut), theirs: await countFiles(theirOut) };
        } else {
          for (const [timing, result] of results) {
            timing.samples.push(result.wall);
            if (result.cpu !== null) timing.cpu.push(result.cpu);
          }
        }
        await rm(ourOut, { recursive: true, force: true });
        await rm(perSloOut, { recursive: true, force: true });
        await rm(theirOut, { recursive: true, force: true });
      }

      // In-process: where the time of `metricops compile` goes.
      type Step = 'parse' | 'generate' | 'write' | 'floor';
      const steps: Record<Step, number[]> = { parse: [], generate: [], write: [], floor: [] };
      const stepsCpu: Record<Step, number[]> = { parse: [], generate: [], write: [], floor: [] };
      const record = (step: Step, result: { wall: number; cpu: number }) => {
        steps[step].push(result.wall);
        stepsCpu[step].push(result.cpu);
      };
      let ruleFiles = 0;
      for (let round = 0; round < repeat; round += 1) {
        let input: Awaited<ReturnType<typeof loadSpecs>> | undefined;
        record('parse', await timed(async () => (input = await loadSpecs([specs]))));
        let compiled: ReturnType<typeof compile> | undefined;
        record('generate', await timed(async () => (compiled = compile(input!, { ...DEFAULT_COMPILE_OPTIONS, layout: 'input' }))));
        const out = join(work, `in-process-${round}`);
        record('write', await timed(() => writeCompiledRules(out, compiled!)));
        ruleFiles = compiled!.files.length;
        await rm(out, { recursive: true, force: true });
        // The file system's share: creating the same files with nothing else (one plain write each, in order).
        const floorOut = join(work, `floor-${round}`);
        await mkdir(floorOut, { recursive: true });
        record('floor', await timed(async () => {
          for (const file of compiled!.files) writeFileSync(join(floorOut, file.path), file.content);
        }));
        await rm(floorOut, { recursive: true, force: true });
      }

      const ratio = median(theirs.samples) / median(ours.samples);
      const cpuRatio = ours.cpu.length > 0 ? median(theirs.cpu) / median(ours.cpu) : null;
      const perSloRatio = median(theirs.samples) / median(perSlo.samples);
      const perSloCpuRatio = perSlo.cpu.length > 0 ? median(theirs.cpu) / median(perSlo.cpu) : null;
      const cpuCell = (timing: Timing) => (timing.cpu.length > 0 ? ms(median(timing.cpu)) : 'n/a');
      const inProcess = median(steps.parse) + median(steps.generate) + median(steps.write);
      const row = (timing: Timing) =>
        `| ${timing.label} | \`${timing.command}\` | ${ms(median(timing.samples))} | ${ms(Math.min(...timing.samples))} | ${ms(Math.max(...timing.samples))} | ${cpuCell(timing)} |`;
      return [
        `${total} SLOs in ${files} Sloth \`prometheus/v1\` files (ten SLOs per service; objectives 95-99.99; events SLIs, every 7th a raw SLI;`,
        'page and ticket alerts with labels and annotations, every 5th ticket alert disabled), generated by bench/compiler/sloth-specs.ts.',
        `Files written: metricops --layout input ${outputs.ours} (one per input file, as Sloth), metricops default layout ${outputs.perSlo} (one per SLO), Sloth ${outputs.theirs}.`,
        `Each command ran ${repeat} times after one untimed warm-up run, into a fresh output folder, the commands taking turns; times are wall-clock.`,
        `Load average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${availableCpus()} CPUs (other jobs share the machine).`,
        '',
        '## Whole CLI, as a user runs it',
        '',
        '| run | command | wall median | wall min | wall max | CPU median (user+sys) |',
        '|---|---|---|---|---|---|',
        row(ours),
        row(theirs),
        row(perSlo),
        row(startup),
        '',
        `**Ratio, same files as Sloth (Sloth median / metricops --layout input median): ${ratio.toFixed(2)}**, i.e. metricops is ` +
          `${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`} than Sloth. ` +
          `Goal: at least 2x faster — ${ratio >= 2 ? 'met' : 'NOT met'}.` +
          (cpuRatio === null ? '' : ` By CPU time (steadier on a shared machine) the ratio is ${cpuRatio.toFixed(2)}.`),
        '',
        `Default layout (one file per SLO, ${outputs.perSlo} files): wall ratio ${perSloRatio.toFixed(2)}` + (perSloCpuRatio === null ? '.' : `, CPU ratio ${perSloCpuRatio.toFixed(2)}.`),
        '',
        '## In process: where metricops spends the time',
        '',
        '| step | what | wall median | wall min | CPU median |',
        '|---|---|---|---|---|',
        `| parse | \`loadSpecs\`: read, YAML parse, validate (schemas, PromQL) into the model | ${ms(median(steps.parse))} | ${ms(Math.min(...steps.parse))} | ${ms(median(stepsCpu.parse))} |`,
        `| generate | \`compile\` (--layout input): rule groups, render YAML (${ruleFiles} files) | ${ms(median(steps.generate))} | ${ms(Math.min(...steps.generate))} | ${ms(median(stepsCpu.generate))} |`,
        `| write | \`writeCompiledRules\` into an empty folder | ${ms(median(steps.write))} | ${ms(Math.min(...steps.write))} | ${ms(median(stepsCpu.write))} |`,
        `| total | | ${ms(inProcess)} | | ${ms(median(stepsCpu.parse) + median(stepsCpu.generate) + median(stepsCpu.write))} |`,
        `| (floor of write) | the same ${ruleFiles} files created with \`writeFileSync\`, nothing else: the file system's cost | ${ms(median(steps.floor))} | ${ms(Math.min(...steps.floor))} | ${ms(median(stepsCpu.floor))} |`,
        '',
        `Output folders are created under ${tmpdir()} (\`os.tmpdir()\`; set TMPDIR to measure another file system).`,
        '',
        `The CLI run minus the in-process total (${ms(Math.max(0, median(ours.samples) - inProcess))}) is Node start-up and module loading ` +
          `(start-up alone: ${ms(median(startup.samples))}).`,
      ].join('\n');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};

export default part;
