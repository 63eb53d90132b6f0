import jsYaml from 'js-yaml';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

/** Where the ruler's configuration API is, and as which tenant metricops talks to it. */
export interface RulerEndpoint {
  /** The rules endpoint without a trailing slash, e.g. `http://cortex:9009/api/v1/rules`. */
  rulesUrl: string;
  /** Sent as `X-Scope-OrgID`; none for a ruler without multi-tenancy. */
  tenant?: string;
  /** The `Authorization` header value, read from a credential file; never logged. */
  authorization?: string;
}

export interface RulerClientSettings {
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts per request, the first included; only unavailability (connection errors, timeouts, 429, 5xx) is retried. */
  attempts: number;
  /** Wait before the second attempt; doubles up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RULER_CLIENT_SETTINGS: RulerClientSettings = { timeoutMs: 15_000, attempts: 4, backoffMs: 500, maxBackoffMs: 4_000 };

/**
 * unavailable: no answer, or 429/5xx, after every attempt. unauthorized: 401/403 (tenant or credentials).
 * rejected: another 4xx (the ruler refused what was sent). unexpected: an answer metricops cannot read.
 */
export type RulerFailureKind = 'unavailable' | 'unauthorized' | 'rejected' | 'unexpected';

export class RulerRequestError extends MetricopsError {
  constructor(
    readonly kind: RulerFailureKind,
    /** `METHOD URL` of the request. */
    readonly request: string,
    /** What the ruler answered (status and body), or why there was no answer. */
    readonly answer: string,
    readonly status?: number,
  ) {
    super(`${request}: ${answer}`);
  }
}

export interface RulerClientDependencies {
  logger: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const NO_GROUPS = 'no rule groups found';
const MAX_ANSWER = 500;

/**
 * The Cortex/Mimir ruler configuration API: list one namespace's groups, set (create or replace) a group, delete a
 * group. Every request carries `X-Scope-OrgID` when a tenant is set. Setting and deleting are idempotent on the
 * ruler, so retrying them after a lost answer is safe.
 */
export class RulerClient {
  /** HTTP requests sent, retries included; `writes` counts the POSTs and DELETEs among them. */
  requests = 0;
  writes = 0;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly endpoint: RulerEndpoint,
    private readonly settings: RulerClientSettings,
    private readonly dependencies: RulerClientDependencies,
  ) {
    this.fetch = dependencies.fetch ?? fetch;
    this.sleep = dependencies.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The groups of one namespace as the ruler returns them (parsed YAML, not yet checked); none is an empty list. */
  async listGroups(namespace: string): Promise<unknown[]> {
    const url = `${this.endpoint.rulesUrl}/${encodeURIComponent(namespace)}`;
    const answer = await this.send('GET', url, undefined, [200, 404]);
    if (answer.status === 404) {
      if (answer.text.trim() === NO_GROUPS) return [];
      throw new RulerRequestError('unexpected', `GET ${url}`,
        `HTTP 404: ${summarize(answer.text)}: this is not a ruler's rules API. Give --ruler-url the ruler's address (Cortex: http://host:port, ` +
        'Mimir: http://host:port/prometheus/config/v1/rules) and check that its API is on (Cortex: ruler.enable_api: true)', 404);
    }
    let document: unknown;
    try {
      document = jsYaml.load(answer.text);
    } catch (error) {
      throw new RulerRequestError('unexpected', `GET ${url}`, `the answer is not YAML (${(error as Error).message.split('\n')[0]}): ${summarize(answer.text)}`, 200);
    }
    if (document === null || document === undefined) return [];
    if (typeof document !== 'object' || Array.isArray(document)) {
      throw new RulerRequestError('unexpected', `GET ${url}`, `the answer is not a map of namespaces to rule groups: ${summarize(answer.text)}`, 200);
    }
    const groups = (document as Record<string, unknown>)[namespace] ?? [];
    if (!Array.isArray(groups)) {
      throw new RulerRequestError('unexpected', `GET ${url}`, `namespace "${namespace}" does not hold a list of rule groups: ${summarize(answer.text)}`, 200);
    }
    return groups;
  }

  /** Creates or replaces one group of the namespace (POST, YAML body). */
  async setGroup(namespace: string, groupYaml: string): Promise<void> {
    await this.send('POST', `${this.endpoint.rulesUrl}/${encodeURIComponent(namespace)}`, groupYaml, [200, 201, 202, 204]);
  }

  /** Deletes one group; a group that is already gone counts as deleted. */
  async deleteGroup(namespace: string, name: string): Promise<void> {
    await this.send('DELETE', `${this.endpoint.rulesUrl}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, undefined, [200, 202, 204, 404]);
  }

  private headers(body: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/yaml, application/json;q=0.9, */*;q=0.5' };
    if (body !== undefined) headers['content-type'] = 'application/yaml';
    if (this.endpoint.tenant !== undefined) headers['x-scope-orgid'] = this.endpoint.tenant;
    if (this.endpoint.authorization !== undefined) headers.authorization = this.endpoint.authorization;
    return headers;
  }

  private async send(method: string, url: string, body: string | undefined, expected: number[]): Promise<{ status: number; text: string }> {
    const request = `${method} ${url}`;
    let wait = this.settings.backoffMs;
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      this.requests++;
      if (method !== 'GET') this.writes++;
      try {
        const response = await this.fetch(url, {
          method, body, headers: this.headers(body), redirect: 'error', signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        const text = await response.text();
        if (expected.includes(response.status)) return { status: response.status, text };
        const answer = `HTTP ${response.status}: ${summarize(text)}`;
        if (response.status === 401 || response.status === 403) {
          throw new RulerRequestError('unauthorized', request,
            `${answer} (the ruler refused metricops' identity: check --ruler-tenant, which it needs when multi-tenancy is on, and the credentials of --ruler-token-file or --ruler-basic-auth-file)`,
            response.status);
        }
        if (response.status !== 429 && response.status < 500) throw new RulerRequestError('rejected', request, answer, response.status);
        failure = answer;
      } catch (error) {
        if (error instanceof RulerRequestError) throw error;
        failure = connectionFailure(error, this.settings.timeoutMs);
      }
      if (attempt >= this.settings.attempts) {
        throw new RulerRequestError('unavailable', request, `${failure} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`);
      }
      this.dependencies.logger.warn({ request, attempt, retryInMs: wait, failure }, 'ruler request failed, retrying');
      await this.sleep(wait);
      wait = Math.min(wait * 2, this.settings.maxBackoffMs);
    }
  }
}

/** Why a request got no answer, in words: the error code (ECONNREFUSED...) or the timeout. */
function connectionFailure(error: unknown, timeoutMs: number): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return `no connection (${detail})`;
}

/** The ruler's answer on one line, at most 500 characters; Prometheus-style JSON errors reduced to their `error`. */
function summarize(text: string): string {
  let answer = text.trim();
  try {
    const parsed = JSON.parse(answer) as { error?: unknown };
    if (typeof parsed?.error === 'string') answer = parsed.error;
  } catch {
    // Not JSON: the text as it is.
  }
  answer = answer.replace(/\s+/g, ' ');
  if (answer === '') return '(empty answer)';
  return answer.length > MAX_ANSWER ? `${answer.slice(0, MAX_ANSWER)}...` : answer;
}
