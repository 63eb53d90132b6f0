/**
 * The image installs production dependencies only (`npm ci --omit=dev`). So every package the CLI can load at run
 * time must be in package.json "dependencies": follow the imports from cli/main.ts through the sources and list
 * the packages they reach. (Type-only imports are erased by the compiler and do not count.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from './manifest-files.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Module specifiers a source file loads at run time (static, re-exports and dynamic imports; not `import type`). */
function runtimeSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (!match[2]) specifiers.push(match[3]!);
  }
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Packages reached from `entry` through relative imports (.js specifiers resolve to the .ts sources). */
function packagesReachedFrom(entry: string): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${relative(repoRoot, file)} imports ${specifier}, which does not exist as ${relative(repoRoot, target)}`);
        pending.push(target);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const name = packageName(specifier);
        if (!reached.has(name)) reached.set(name, relative(repoRoot, file));
      }
    }
  }
  return reached;
}

describe('runtime dependencies of the image', () => {
  test.each([
    ['a static import', "import { z } from 'zod';", ['zod']],
    ['a scoped package subpath', "import x from '@scope/pkg/sub';", ['@scope/pkg/sub']],
    ['a type-only import (erased)', "import type { Logger } from 'pino';", []],
    ['a re-export', "export { a } from './a.js';", ['./a.js']],
    ['a dynamic import', "const m = await import('yaml');", ['yaml']],
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(runtimeSpecifiers(source)).toEqual(expected);
  });

  test('every package the CLI loads is a production dependency, so `npm ci --omit=dev` in the Dockerfile is enough', () => {
    const reached = packagesReachedFrom(join(repoRoot, 'cli/main.ts'));
    expect(reached.size).toBeGreaterThan(3);
    const missing = [...reached].filter(([name]) => !(name in packageJson.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });
});
