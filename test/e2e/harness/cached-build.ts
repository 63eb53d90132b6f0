import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/**
 * Runs one of the build scripts of test/e2e (build-control-plane.sh, build-flux.sh): it builds into
 * ${METRICOPS_CACHE:-~/.cache/metricops} or reuses a complete folder, and prints that folder last on stdout.
 */
export async function cachedBuildDir(script: string): Promise<string> {
  const path = join(repoRoot(), 'test', 'e2e', script);
  const { stdout } = await new Promise<{ stdout: string }>((done, fail) =>
    execFile('bash', [path], { maxBuffer: 1 << 20 }, (error, out, err) =>
      (error ? fail(new Error(`${script} failed: ${err.trim() || error.message}`, { cause: error })) : done({ stdout: out }))),
  );
  return stdout.trim().split('\n').pop() ?? '';
}
