/**
 * The two promtools every compiled rule file and every emitted test runs on: Debian's 2.42 (/usr/bin/promtool,
 * or PROMTOOL) and Prometheus 3's, built from the Go module proxy by test/build-promtool.sh (test/setup.sh builds
 * it; PROMTOOL3 overrides). Their PromQL differs where it matters here: 3.x range selectors are left-open.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Promtool {
  /** For test names: "promtool 2.42" or "promtool 3". */
  name: string;
  path: string;
}

function promtool3Path(): string {
  if (process.env.PROMTOOL3) return process.env.PROMTOOL3;
  return execFileSync('bash', [join(repoRoot, 'test', 'build-promtool.sh'), '--print-path'], { encoding: 'utf8' }).trim();
}

export const PROMTOOLS: Promtool[] = [
  { name: 'promtool 2.42', path: process.env.PROMTOOL ?? '/usr/bin/promtool' },
  { name: 'promtool 3', path: promtool3Path() },
];

export interface PromtoolResult {
  ok: boolean;
  output: string;
}

/** Runs promtool; a missing binary fails the test with what to run, a failing command returns its output. */
export async function runPromtool(promtool: Promtool, args: string[], cwd: string): Promise<PromtoolResult> {
  if (!existsSync(promtool.path)) {
    throw new Error(`${promtool.name} is not at ${promtool.path}: run test/setup.sh (or bash test/build-promtool.sh for promtool 3)`);
  }
  try {
    const { stdout, stderr } = await run(promtool.path, args, { cwd, timeout: 120_000, maxBuffer: 64 * 2 ** 20 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  }
}
