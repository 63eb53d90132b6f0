/**
 * Follows a source file's imports through the TypeScript sources and lists the npm packages they reach: what the
 * image must install (every runtime import) and what the CLI loads at start-up (static imports only). Type-only
 * imports are erased by the compiler and do not count there; the component boundaries count them (`types`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

export interface ImportScan {
  /** Also follow dynamic `import('...')` calls (loaded at run time, not at start-up). */
  dynamic: boolean;
  /** Also count `import type` and `export type` (a dependency for the reader, not for the runtime). */
  types?: boolean;
}

/** Module specifiers a source file loads: static imports and re-exports, and with `dynamic` its import() calls. */
export function moduleSpecifiers(source: string, scan: ImportScan): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (!match[2] || scan.types) specifiers.push(match[3]!);
  }
  if (scan.dynamic) {
    for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  }
  return specifiers;
}

/** The TypeScript file a relative specifier of `file` names (`./a.js` -> `<dir>/a.ts`). */
export function resolveRelative(file: string, specifier: string): string {
  return resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Packages reached from `entry` (package name -> the first file, relative to `root`, that imports it). */
export function packagesReachedFrom(entry: string, root: string, scan: ImportScan): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of moduleSpecifiers(readFileSync(file, 'utf8'), scan)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${specifier}, which does not exist as ${relative(root, target)}`);
        pending.push(target);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const name = packageName(specifier);
        if (!reached.has(name)) reached.set(name, relative(root, file));
      }
    }
  }
  return reached;
}
