/**
 * The components never call each other and share only data (docs/design.md): webhook/, slo-compiler/ and
 * feedback-pipeline/ import common/ (the contract, errors, logger, clock, Git...) and themselves, nothing of another
 * component, not even a type. common/ imports no component. cli/ wires them and may import them all.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleSpecifiers, resolveRelative } from './import-graph.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const COMPONENTS = ['webhook', 'slo-compiler', 'feedback-pipeline'] as const;

/** Folders that may be imported from `folder`: itself and common/ (common/ only itself). */
function allowed(folder: string): string[] {
  return folder === 'common' ? ['common'] : [folder, 'common'];
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return entry.endsWith('.ts') ? [path] : [];
  });
}

/** "file -> imported file" for every import (value or type) of `folder` that leaves the folders it may use. */
export function boundaryCrossings(root: string, folder: string): string[] {
  const crossings: string[] = [];
  for (const file of typeScriptFiles(join(root, folder))) {
    for (const specifier of moduleSpecifiers(readFileSync(file, 'utf8'), { dynamic: true, types: true })) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(root, resolveRelative(file, specifier));
      const top = target.split(sep)[0]!;
      if (!allowed(folder).includes(top)) crossings.push(`${relative(root, file)} -> ${target}`);
    }
  }
  return crossings;
}

describe('component boundaries', () => {
  test.each(COMPONENTS)('%s imports only common/ and itself', (component) => {
    expect(boundaryCrossings(repoRoot, component)).toEqual([]);
  });

  test('common/ imports no component and not the CLI', () => {
    expect(boundaryCrossings(repoRoot, 'common')).toEqual([]);
  });

  describe('the check itself', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'metricops-boundaries-'));
      await mkdir(join(root, 'webhook'), { recursive: true });
      await mkdir(join(root, 'slo-compiler', 'rules'), { recursive: true });
      await mkdir(join(root, 'common'), { recursive: true });
      await writeFile(
        join(root, 'webhook', 'guards.ts'),
        [
          "import { Annotations } from '../common/annotations.js';",
          "import type { Slo } from '../slo-compiler/model.js';",
          "import {\n  inlineAlert,\n} from '../slo-compiler/rules/inline.js';",
          "const later = () => import('../feedback-pipeline/pipeline.js');",
        ].join('\n'),
      );
      await writeFile(join(root, 'common', 'annotations.ts'), "import { stamp } from '../webhook/guards.js';\n");
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    test('finds type-only, multi-line and dynamic imports of another component', () => {
      expect(boundaryCrossings(root, 'webhook')).toEqual([
        `webhook${sep}guards.ts -> slo-compiler${sep}model.ts`,
        `webhook${sep}guards.ts -> slo-compiler${sep}rules${sep}inline.ts`,
        `webhook${sep}guards.ts -> feedback-pipeline${sep}pipeline.ts`,
      ]);
    });

    test('finds common/ importing a component', () => {
      expect(boundaryCrossings(root, 'common')).toEqual([`common${sep}annotations.ts -> webhook${sep}guards.ts`]);
    });
  });
});
