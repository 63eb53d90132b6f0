import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

let loaded: YamlModule | undefined;

/**
 * The `yaml` package (positions of every node, every error of a broken file), loaded on first use: only a run with
 * a problem to locate or a broken file needs it, and loading it costs a valid run ~50 ms of a cold start.
 */
export function yamlParser(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}
