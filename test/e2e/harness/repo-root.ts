import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The metricops checkout this harness belongs to, whether it runs from test/e2e/ (jest) or dist/test/e2e/ (compiled). */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'metricops') return dir;
    if (dirname(dir) === dir) throw new Error(`no metricops package.json above ${from}`);
  }
}
