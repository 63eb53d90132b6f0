/**
 * `npm run bench [-- part...]`: runs each benchmark part and writes its report to bench/results/<part>.md,
 * headed with the machine and the date. Goals are checked as ratios against a baseline run in the same process.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchPart {
  name: string;
  /** Runs the benchmark and returns its report as Markdown (tables, numbers, the goal and whether it was met). */
  run(): Promise<string>;
}

const parts: Record<string, () => Promise<BenchPart>> = {
  compiler: async () => (await import('./compiler.js')).default,
  webhook: async () => (await import('./webhook.js')).default,
  feedback: async () => (await import('./feedback.js')).default,
  'long-windows': async () => (await import('./long-windows.js')).default,
  'rule-cost': async () => (await import('./rule-cost.js')).default,
  ruler: async () => (await import('./ruler.js')).default,
  gitops: async () => (await import('./gitops.js')).default,
  ui: async () => (await import('./ui.js')).default,
};

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const selected = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const names = selected.length > 0 ? selected : Object.keys(parts);
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  for (const name of names) {
    const load = parts[name];
    if (!load) throw new Error(`unknown bench part "${name}": choose from ${Object.keys(parts).join(', ')}`);
    const part = await load();
    process.stdout.write(`[bench] ${name} ...\n`);
    const report = await part.run();
    const header = `# Benchmark: ${name}\n\n- Date: ${new Date().toISOString()}\n- Machine: ${machine()}\n\n`;
    await writeFile(join(resultsDir, `${name}.md`), header + report.trimEnd() + '\n');
    process.stdout.write(header + report + '\n');
  }
}

await main();
