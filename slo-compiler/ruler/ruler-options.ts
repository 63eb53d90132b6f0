/**
 * The --ruler-* flags of `metricops compile` and `metricops sync`: their registration and their checks. Cheap to
 * import (no npm package but commander's types): the CLI registers them at start-up.
 */
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { DEFAULT_RULER_NAMESPACE } from './ownership.js';

export interface RulerFlags {
  rulerUrl?: string;
  rulerTenant?: string;
  rulerNamespace?: string;
  rulerTokenFile?: string;
  rulerBasicAuthFile?: string;
}

export type RulerCredentials = { kind: 'bearer'; file: string } | { kind: 'basic'; file: string };

export interface RulerOptions {
  /** The rules endpoint without a trailing slash, e.g. `http://cortex:9009/api/v1/rules`. */
  rulesUrl: string;
  tenant?: string;
  namespace: string;
  credentials?: RulerCredentials;
}

export function addRulerOptions(command: Command): Command {
  return command
    .option('--ruler-url <url>', "also load the rules into a Cortex/Mimir ruler: its address (Cortex http://host:9009; or the full rules endpoint, e.g. Mimir's http://host/prometheus/config/v1/rules)")
    .option('--ruler-tenant <id>', 'tenant sent as X-Scope-OrgID (needed when the ruler runs multi-tenant)')
    .option('--ruler-namespace <name>', 'ruler namespace metricops owns: its groups there are kept equal to the compiled ones', DEFAULT_RULER_NAMESPACE)
    .option('--ruler-token-file <file>', 'bearer token for the ruler (first line of the file; read at every sync)')
    .option('--ruler-basic-auth-file <file>', 'basic auth for the ruler: a user:password line (read at every sync)');
}

// Cortex's and Mimir's tenant ID rule (tenant.ValidTenantID): these characters, at most 150, not "." or "..".
const TENANT = /^[A-Za-z0-9!\-_.*'()]{1,150}$/;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The checked ruler settings, or undefined without --ruler-url; every problem is a UsageError naming the flag. */
export function parseRulerOptions(flags: RulerFlags): RulerOptions | undefined {
  if (flags.rulerUrl === undefined) {
    const stray = (['rulerTenant', 'rulerTokenFile', 'rulerBasicAuthFile'] as const).find((key) => flags[key] !== undefined);
    if (stray) throw new UsageError(`--${kebab(stray)} needs --ruler-url: give the address of the ruler to load the rules into`);
    return undefined;
  }
  const rulesUrl = rulesEndpoint(flags.rulerUrl);
  const namespace = flags.rulerNamespace ?? DEFAULT_RULER_NAMESPACE;
  if (!NAMESPACE.test(namespace)) {
    throw new UsageError(`--ruler-namespace "${namespace}" is not a usable ruler namespace: use letters, digits, ".", "_" and "-" (at most 100, starting with a letter or digit), e.g. metricops`);
  }
  const options: RulerOptions = { rulesUrl, namespace };
  if (flags.rulerTenant !== undefined) {
    const tenant = flags.rulerTenant;
    if (!TENANT.test(tenant) || tenant === '.' || tenant === '..') {
      throw new UsageError(`--ruler-tenant "${tenant}" is not a tenant ID: use at most 150 letters, digits and !-_.*'() (one tenant: "|" joins tenants for queries, never for rules)`);
    }
    options.tenant = tenant;
  }
  if (flags.rulerTokenFile !== undefined && flags.rulerBasicAuthFile !== undefined) {
    throw new UsageError('--ruler-token-file and --ruler-basic-auth-file exclude each other: give the one the ruler (or the proxy in front of it) expects');
  }
  if (flags.rulerTokenFile !== undefined) options.credentials = { kind: 'bearer', file: flags.rulerTokenFile };
  if (flags.rulerBasicAuthFile !== undefined) options.credentials = { kind: 'basic', file: flags.rulerBasicAuthFile };
  return options;
}

/** `http://host:port[/prefix]` -> `.../api/v1/rules`; a URL whose path ends in `/rules` is the endpoint itself. */
export function rulesEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`--ruler-url "${text}" is not a URL: give the ruler's address, e.g. http://cortex:9009`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--ruler-url "${text}" is not http or https: give the ruler's address, e.g. http://cortex:9009`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError('--ruler-url holds credentials, which would show in process lists and logs: put them in a file and pass --ruler-basic-auth-file (a user:password line) or --ruler-token-file');
  }
  if (url.search !== '' || url.hash !== '') throw new UsageError(`--ruler-url "${text}" has a query or fragment: give the ruler's address only`);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith('/rules') ? path : `${path}/api/v1/rules`}`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
