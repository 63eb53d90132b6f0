/**
 * The image installs production dependencies only (`npm ci --omit=dev`). So every package the CLI can load at run
 * time must be in package.json "dependencies": follow the imports from cli/main.ts through the sources and list
 * the packages they reach. (Type-only imports are erased by the compiler and do not count.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleSpecifiers, packagesReachedFrom } from '../import-graph.js';
import { repoRoot } from './manifest-files.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('runtime dependencies of the image', () => {
  test.each([
    ['a static import', "import { z } from 'zod';", ['zod']],
    ['a scoped package subpath', "import x from '@scope/pkg/sub';", ['@scope/pkg/sub']],
    ['a type-only import (erased)', "import type { Logger } from 'pino';", []],
    ['a re-export', "export { a } from './a.js';", ['./a.js']],
    ['a dynamic import', "const m = await import('yaml');", ['yaml']],
  ])('the scanner reads %s', (_description, source, expected) => {
    expect(moduleSpecifiers(source, { dynamic: true })).toEqual(expected);
  });

  test('every package the CLI loads is a production dependency, so `npm ci --omit=dev` in the Dockerfile is enough', () => {
    const reached = packagesReachedFrom(join(repoRoot, 'cli/main.ts'), repoRoot, { dynamic: true });
    expect(reached.size).toBeGreaterThan(3);
    const missing = [...reached].filter(([name]) => !(name in packageJson.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });
});
