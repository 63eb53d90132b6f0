import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, posix, resolve } from 'node:path';
import { validateDetailed } from 'node-cron';
import { UsageError } from '../../common/errors.js';
import { redactUrl } from '../../common/git-repository.js';
import type { OutputFormat } from '../output/render.js';
import type { OutputLayout } from '../output/input-layout.js';
import type { SpecFlags } from '../inputs/spec-flags.js';
import { parseRulerOptions, type RulerFlags, type RulerOptions } from '../ruler/ruler-options.js';
import { DEFAULT_SCHEDULE } from './default-schedule.js';

/** What one `metricops sync` runs with, checked. Folders are relative to the repository root, `/`-separated. */
export interface SyncOptions {
  repo: string;
  sloDir: string;
  /** Absent with a ruler and no --out-dir: the rules go to the ruler only, nothing is committed. */
  outDir?: string;
  branch: string;
  schedule: string;
  once: boolean;
  /** Where the clone lives; reused by later runs. */
  workdir: string;
  format: OutputFormat;
  /** Also keep a Cortex/Mimir ruler's namespace equal to the compiled groups. */
  ruler?: RulerOptions;
  /** `cluster` label for every generated rule (compile --cluster-label). */
  clusterLabel?: string;
  /** compile --layout. */
  layout?: OutputLayout;
  /** How specs are read (compile's spec flags); --slo-period-windows-path is a folder of the repository. */
  spec?: SpecFlags;
}

export interface SyncFlags extends RulerFlags, SpecFlags {
  repo: string;
  sloDir: string;
  outDir?: string;
  branch?: string;
  schedule?: string;
  once?: boolean;
  workdir?: string;
  format?: OutputFormat;
  clusterLabel?: string;
  layout?: OutputLayout;
}

export { DEFAULT_SCHEDULE };

/** Checks the flags; every problem is a UsageError naming the flag and how to fix it. */
export function parseSyncOptions(flags: SyncFlags, environment: { cacheDir?: string } = {}): SyncOptions {
  const repo = isRemoteUrl(flags.repo.trim()) ? flags.repo.trim() : resolve(flags.repo.trim());
  if (flags.repo.trim() === '') throw new UsageError('--repo is empty: give the URL or local path of the Git repository that holds the SLO specs');
  const sloDir = repoFolder('--slo-dir', flags.sloDir);
  const ruler = parseRulerOptions(flags);
  if (flags.outDir === undefined && ruler === undefined) {
    throw new UsageError('--out-dir is required: give the rules folder, relative to the repository root (or --ruler-url to load the rules into a ruler only)');
  }
  const outDir = flags.outDir === undefined ? undefined : repoFolder('--out-dir', flags.outDir);
  if (outDir !== undefined && (isInside(outDir, sloDir) || isInside(sloDir, outDir))) {
    throw new UsageError(`--out-dir "${outDir}" and --slo-dir "${sloDir}" overlap: keep the generated rules in a folder of their own, outside the SLO specs (e.g. --out-dir rules)`);
  }
  const branch = flags.branch ?? 'main';
  if (!/^(?!-)(?!.*\.\.)[A-Za-z0-9._\/-]+$/.test(branch) || branch.endsWith('/') || branch.endsWith('.lock')) {
    throw new UsageError(`--branch "${branch}" is not a valid Git branch name: use letters, digits, ".", "_", "-" and "/" (e.g. main)`);
  }
  const schedule = flags.schedule ?? DEFAULT_SCHEDULE;
  const validation = validateDetailed(schedule);
  if (!validation.valid) {
    const why = validation.errors.map((error) => `${error.field}: ${error.message}`).join('; ');
    throw new UsageError(`--schedule "${schedule}" is not a valid cron expression (${why}): use five fields, e.g. "*/5 * * * *" for every 5 minutes`);
  }
  const spec = specFlags(flags);
  const cacheDir = environment.cacheDir ?? join(homedir(), '.cache', 'metricops');
  const workdir = flags.workdir ?? join(cacheDir, 'sync', cloneName(repo));
  return {
    repo, sloDir, ...(outDir !== undefined ? { outDir } : {}), branch, schedule, once: flags.once === true, workdir,
    format: flags.format ?? 'prometheus', ...(ruler ? { ruler } : {}), ...(flags.clusterLabel !== undefined ? { clusterLabel: flags.clusterLabel } : {}),
    ...(flags.layout !== undefined ? { layout: flags.layout } : {}), ...(spec ? { spec } : {}),
  };
}

/** The spec flags sync passes on to each cycle's compile; the windows folder is checked like --slo-dir. */
function specFlags(flags: SyncFlags): SpecFlags | undefined {
  const spec: SpecFlags = {
    ...(flags.defaultWindow !== undefined ? { defaultWindow: flags.defaultWindow } : {}),
    ...(flags.defaultSloPeriod !== undefined ? { defaultSloPeriod: flags.defaultSloPeriod } : {}),
    ...(flags.sloPeriodWindowsPath !== undefined ? { sloPeriodWindowsPath: repoFolder('--slo-period-windows-path', flags.sloPeriodWindowsPath) } : {}),
    ...(flags.minEvents !== undefined ? { minEvents: flags.minEvents } : {}),
    ...(flags.sloPlugins !== undefined && flags.sloPlugins.length > 0 ? { sloPlugins: flags.sloPlugins } : {}),
    ...(flags.disableDefaultSloPlugins ? { disableDefaultSloPlugins: true } : {}),
  };
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/** A readable, unique folder name for a clone of `repo`: "<last path part>-<hash>". */
export function cloneName(repo: string): string {
  const base = redactUrl(repo).replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).pop() ?? 'repo';
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'repo';
  return `${safe}-${createHash('sha256').update(repo).digest('hex').slice(0, 12)}`;
}

/** URLs (https://, ssh://, file://) and scp-like `git@host:path` are cloned as given; anything else is a local path. */
export function isRemoteUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo);
}

function repoFolder(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} is empty: give a folder inside the repository, e.g. ${flag} slos`);
  if (isAbsolute(value)) throw new UsageError(`${flag} "${value}" is absolute: give a folder relative to the repository root, e.g. ${flag} slos`);
  const folder = posix.normalize(normalize(value).split('\\').join('/')).replace(/\/+$/, '') || '.';
  if (folder === '..' || folder.startsWith('../')) throw new UsageError(`${flag} "${value}" leaves the repository: give a folder inside it, relative to its root`);
  if (folder.split('/').includes('.git')) throw new UsageError(`${flag} "${value}" is inside .git: give a folder of the working tree`);
  return folder;
}

function isInside(child: string, parent: string): boolean {
  return parent === '.' || child === parent || child.startsWith(`${parent}/`);
}
