/**
 * A small Prometheus HTTP API client for the readers (UI, `metricops status`): instant and range queries, the
 * alerting rules and the active alerts. Every call is bounded by a timeout (the whole answer, body included), so a
 * slow or hung Prometheus costs a page at most that long; every failure is a PrometheusError that says what went
 * wrong in words a page can show (the URL without its credentials).
 */
import { z } from 'zod';
import { MetricopsError } from '../../common/errors.js';
import { redactUrl } from '../../common/git-repository.js';
import { splitUrlCredentials } from '../../common/url-credentials.js';

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 3000;

export type PrometheusProblem = 'unreachable' | 'timeout' | 'http-error' | 'bad-answer' | 'query-error';

export class PrometheusError extends MetricopsError {
  constructor(
    readonly problem: PrometheusProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface InstantSample {
  labels: Record<string, string>;
  /** Seconds since the epoch, as Prometheus answers. */
  time: number;
  /** The sample's value as Prometheus printed it (kept as text so a page can show exactly Prometheus' answer). */
  value: string;
}

export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<[time: number, value: string]>;
}

export interface AlertingRule {
  name: string;
  /** The rule's PromQL expression. */
  query: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | string;
  activeAt?: string;
}

/** What the readers ask of Prometheus; PrometheusClient implements it, tests may pass another. */
export interface PrometheusApi {
  readonly display: string;
  query(expr: string, time?: Date): Promise<InstantSample[]>;
  queryRange(expr: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<RangeSeries[]>;
  alertingRules(): Promise<AlertingRule[]>;
  alerts(): Promise<ActiveAlert[]>;
}

const labels = z.record(z.string(), z.string());
const envelope = z.object({ status: z.enum(['success', 'error']), data: z.unknown().optional(), error: z.string().optional(), errorType: z.string().optional() });
const sampleValue = z.tuple([z.number(), z.string()]);
const vector = z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: labels, value: sampleValue })) });
const scalar = z.object({ resultType: z.literal('scalar'), result: sampleValue });
const matrix = z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: labels, values: z.array(sampleValue) })) });
const rules = z.object({
  groups: z.array(
    z.object({
      rules: z.array(
        z.looseObject({ type: z.string(), name: z.string(), query: z.string(), labels: labels.optional(), annotations: labels.optional(), state: z.string().optional() }),
      ),
    }),
  ),
});
const alerts = z.object({
  alerts: z.array(z.object({ labels, annotations: labels.optional(), state: z.string(), activeAt: z.string().optional() })),
});

export class PrometheusClient implements PrometheusApi {
  private readonly base: URL;
  private readonly authorization: string | undefined;
  /** The URL without credentials, for pages and logs. */
  readonly display: string;

  constructor(
    url: string,
    private readonly timeoutMs: number = DEFAULT_PROMETHEUS_TIMEOUT_MS,
  ) {
    const endpoint = splitUrlCredentials(url);
    this.base = endpoint.url;
    if (!this.base.pathname.endsWith('/')) this.base.pathname += '/';
    this.authorization = endpoint.authorization;
    this.display = redactUrl(this.base.toString().replace(/\/$/, ''));
  }

  async query(expr: string, time?: Date): Promise<InstantSample[]> {
    const form: Record<string, string> = { query: expr };
    if (time) form.time = (time.getTime() / 1000).toFixed(3);
    const data = parse(await this.call('api/v1/query', form), z.union([vector, scalar]), 'an instant query answer');
    if (data.resultType === 'scalar') return [{ labels: {}, time: data.result[0], value: data.result[1] }];
    return data.result.map((sample) => ({ labels: sample.metric, time: sample.value[0], value: sample.value[1] }));
  }

  async queryRange(expr: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<RangeSeries[]> {
    const data = parse(
      await this.call('api/v1/query_range', {
        query: expr,
        start: (range.start.getTime() / 1000).toFixed(3),
        end: (range.end.getTime() / 1000).toFixed(3),
        step: String(range.stepSeconds),
      }),
      matrix,
      'a range query answer',
    );
    return data.result.map((series) => ({ labels: series.metric, points: series.values }));
  }

  async alertingRules(): Promise<AlertingRule[]> {
    const data = parse(await this.call('api/v1/rules?type=alert'), rules, 'the rules list');
    return data.groups.flatMap((group) =>
      group.rules
        .filter((rule) => rule.type === 'alerting')
        .map((rule) => ({ name: rule.name, query: rule.query, labels: rule.labels ?? {}, annotations: rule.annotations ?? {}, state: rule.state ?? '' })),
    );
  }

  async alerts(): Promise<ActiveAlert[]> {
    const data = parse(await this.call('api/v1/alerts'), alerts, 'the alerts list');
    return data.alerts.map((alert) => ({ labels: alert.labels, annotations: alert.annotations ?? {}, state: alert.state, ...(alert.activeAt ? { activeAt: alert.activeAt } : {}) }));
  }

  /** GET (no form) or POST (form) one API path; resolves to the `data` of a successful answer. */
  private async call(path: string, form?: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.base);
    const where = `${this.display}/${path.replace(/\?.*$/, '')}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, signal, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw new PrometheusError('timeout', `Prometheus at ${where} did not answer within ${this.timeoutMs / 1000} s`, { cause: error });
      const cause = (error as Error & { cause?: Error }).cause;
      throw new PrometheusError('unreachable', `cannot reach Prometheus at ${where}: ${redactUrl(cause?.message ?? (error as Error).message)}`, { cause: error });
    }
    let body: z.output<typeof envelope>;
    try {
      body = envelope.parse(JSON.parse(text));
    } catch {
      const problem = status >= 200 && status < 300 ? 'bad-answer' : 'http-error';
      throw new PrometheusError(problem, `Prometheus at ${where} answered ${status} with a body that is not its API's JSON: ${text.slice(0, 200)}`);
    }
    if (body.status === 'error') throw new PrometheusError('query-error', `Prometheus at ${where} refused the request (${status}, ${body.errorType ?? 'error'}): ${body.error ?? ''}`);
    return body.data;
  }
}

function parse<T>(data: unknown, schema: z.ZodType<T>, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new PrometheusError('bad-answer', `Prometheus answered with something that is not ${what}: ${result.error.issues[0]?.message ?? ''}`);
  return result.data;
}
