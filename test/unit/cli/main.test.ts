/**
 * `metricops compile` (and --help, --version) must start quickly: cli/main.ts registers every command, and the
 * commands load their implementations with `await import(...)` when they run. Following the static imports from
 * cli/main.ts must therefore reach none of the packages that take long to load.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLL_SCHEDULE } from '../../../feedback-pipeline/intake/alertmanager-poller.js';
import { POLL_SCHEDULE_DEFAULT } from '../../../cli/commands/feedback.js';
import { DEFAULT_SCHEDULE } from '../../../slo-compiler/sync/sync-options.js';
import { DEFAULT_SCHEDULE as SYNC_DEFAULT_FOR_CLI } from '../../../slo-compiler/sync/default-schedule.js';
import { packagesReachedFrom } from '../import-graph.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('CLI start-up', () => {
  test('cli/main.ts loads only commander and the logger before a command runs', () => {
    const loaded = packagesReachedFrom(join(repoRoot, 'cli', 'main.ts'), repoRoot, { dynamic: false });
    expect([...loaded.keys()].sort()).toEqual(['commander', 'pino']);
  });

  test('flag defaults written out for cheap registration match the implementations', () => {
    expect(POLL_SCHEDULE_DEFAULT).toBe(DEFAULT_POLL_SCHEDULE);
    expect(SYNC_DEFAULT_FOR_CLI).toBe(DEFAULT_SCHEDULE);
  });
});
