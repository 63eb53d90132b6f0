/**
 * `metricops compile` (and --help, --version) must start quickly: cli/main.ts registers every command, and the
 * commands load their implementations with `await import(...)` when they run. Following the static imports from
 * cli/main.ts must therefore reach none of the packages that take long to load.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLL_SCHEDULE } from '../../../../feedback-pipeline/intake/alertmanager-poller.js';
import { POLL_SCHEDULE_DEFAULT } from '../../../../cli/commands/feedback.js';
import { DEFAULT_SCHEDULE } from '../../../../slo-compiler/sync/sync-options.js';
import { DEFAULT_SCHEDULE as SYNC_DEFAULT_FOR_CLI } from '../../../../slo-compiler/sync/default-schedule.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Static, value-carrying imports and re-exports of a source file (not `import type`, not dynamic `import()`). */
function staticSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (!match[2]) specifiers.push(match[3]!);
  }
  return specifiers;
}

/** Packages loaded at start-up: reached from `entry` through static imports only. */
function packagesLoadedAtStartUp(entry: string): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of staticSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
        if (!reached.has(name)) reached.set(name, relative(repoRoot, file));
      }
    }
  }
  return reached;
}

describe('CLI start-up', () => {
  test('cli/main.ts loads only commander and the logger before a command runs', () => {
    const loaded = packagesLoadedAtStartUp(join(repoRoot, 'cli', 'main.ts'));
    expect([...loaded.keys()].sort()).toEqual(['commander', 'pino']);
  });

  test('flag defaults written out for cheap registration match the implementations', () => {
    expect(POLL_SCHEDULE_DEFAULT).toBe(DEFAULT_POLL_SCHEDULE);
    expect(SYNC_DEFAULT_FOR_CLI).toBe(DEFAULT_SCHEDULE);
  });
});
