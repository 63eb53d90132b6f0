import { isAbsolute, join, relative, sep } from 'node:path';
import { InvalidInputError, type InputLocation } from '../../common/errors.js';
import { compile, DEFAULT_COMPILE_OPTIONS } from '../compile.js';
import { compiledNames } from '../git-commit.js';
import type { CompileInput } from '../model.js';
import { writeCompiledRules, type WriteResult } from '../output/write.js';
import type { OutputFormat } from '../output/render.js';
import type { RuleGroup } from '../rules/rule.js';
import { loadSpecs } from '../inputs/load.js';
import type { SpecFlags } from '../inputs/spec-flags.js';
import { parseSpecOptions } from '../inputs/spec-options.js';
import type { OutputLayout } from '../output/input-layout.js';

export interface CheckoutCompile {
  /** Files written or removed, relative to the repository root, `/`-separated. */
  changed: string[];
  /** SLO names and inline-rule Deployments compiled: for the commit message. */
  names: string[];
  /** Empty when nothing is written (no outDir). */
  write: WriteResult;
  /** Every compiled rule group, for a ruler. */
  groups: RuleGroup[];
}

/**
 * loadSpecs -> compile -> writeCompiledRules inside a working copy (no writing without outDir: rules for a ruler
 * only). Sources in generated headers and in error messages are relative to the repository root, so they read the
 * same in every clone. Writes nothing when any spec is invalid (throws InvalidInputError).
 */
export async function compileCheckout(
  root: string, sloDir: string, outDir: string | undefined, options: { format: OutputFormat; clusterLabel?: string; layout?: OutputLayout; spec?: SpecFlags },
): Promise<CheckoutCompile> {
  const { spec, ...compileOptions } = options;
  const relativeIssues = (error: unknown) => {
    throw error instanceof InvalidInputError ? new InvalidInputError(error.issues.map((issue) => relativeTo(root, issue)), { cause: error }) : error;
  };
  const loadOptions = await parseSpecOptions(spec ?? {}, (path) => join(root, path)).catch(relativeIssues);
  const loaded = await loadSpecs([join(root, sloDir)], loadOptions).catch(relativeIssues);
  const input = relativeSources(root, loaded);
  const compiled = compile(input, { ...DEFAULT_COMPILE_OPTIONS, ...compileOptions });
  const write = outDir === undefined ? { written: [], unchanged: [], removed: [] } : await writeCompiledRules(join(root, outDir), compiled);
  const changed = [...write.written, ...write.removed].map((path) => (outDir === '.' ? path : `${outDir}/${path}`)).sort();
  return { changed, names: compiledNames(input), write, groups: compiled.groups };
}

function relativeSources(root: string, input: CompileInput): CompileInput {
  return {
    slos: input.slos.map((slo) => ({ ...slo, location: relativeTo(root, slo.location) })),
    inlineRules: input.inlineRules.map((rule) => ({ ...rule, location: relativeTo(root, rule.location) })),
    ...(input.inputPaths
      ? { inputPaths: new Map([...input.inputPaths].map(([source, path]) => [relativeTo(root, { source }).source, path])) }
      : {}),
  };
}

function relativeTo<T extends InputLocation>(root: string, location: T): T {
  if (!isAbsolute(location.source)) return location;
  const path = relative(root, location.source);
  if (path.startsWith('..') || isAbsolute(path)) return location;
  return { ...location, source: path.split(sep).join('/') };
}
