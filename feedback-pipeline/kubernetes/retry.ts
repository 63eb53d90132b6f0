/**
 * Retries of Kubernetes API calls: transient failures (connection refused or reset, timeouts, 429, 5xx) are retried
 * with exponential backoff for a bounded time, so that an apiserver briefly stopped during a rollback does not lose
 * it. Anything else (4xx, conflicts) is returned to the caller at once.
 */
import { KubeApiError } from './api-client.js';
import type { Logger } from '../../common/logger.js';

export interface RetrySettings {
  /** Give up once this long has passed since the first attempt. Default 2 minutes. */
  maxElapsedMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxElapsedMs: 120_000, initialDelayMs: 250, maxDelayMs: 10_000 };

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * client-node's ApiException (code + body), recognised by its shape: the parts still on client-node (`metricops status`,
 * the GitOps hold, Flux) throw it, and importing the class would load the library.
 */
function clientNodeFailure(error: unknown): { code: number; body: unknown } | undefined {
  const failure = error as { code?: unknown; body?: unknown } | null;
  return failure instanceof Error && typeof failure.code === 'number' && 'body' in failure ? { code: failure.code, body: failure.body } : undefined;
}

/** The HTTP status of a failed API call, if it got that far. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof KubeApiError) return error.status;
  const clientNode = clientNodeFailure(error);
  if (clientNode) return clientNode.code;
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  const failure = error as { code?: unknown; type?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  if (!failure) return false;
  if (typeof failure.code === 'string' && TRANSIENT_CODES.has(failure.code)) return true;
  if (typeof failure.cause?.code === 'string' && TRANSIENT_CODES.has(failure.cause.code)) return true;
  return failure.type === 'system' || failure.type === 'request-timeout' || failure.name === 'AbortError' || failure.name === 'TimeoutError';
}

/** A short description of an API failure for logs and records (status and the apiserver's message, no bodies). */
export function describeApiError(error: unknown): string {
  if (error instanceof KubeApiError) return `HTTP ${error.status}${error.apiMessage ? `: ${error.apiMessage}` : ''}`;
  const clientNode = clientNodeFailure(error);
  if (clientNode) {
    let message: unknown = typeof clientNode.body === 'object' && clientNode.body !== null ? (clientNode.body as { message?: unknown }).message : undefined;
    if (message === undefined && typeof clientNode.body === 'string') {
      try {
        message = (JSON.parse(clientNode.body) as { message?: unknown }).message;
      } catch {
        message = undefined;
      }
    }
    return `HTTP ${clientNode.code}${typeof message === 'string' ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function withRetry<T>(
  what: string,
  operation: () => Promise<T>,
  settings: RetrySettings,
  logger: Logger,
  /** Stops the retries (the last error is thrown), e.g. when this replica stops leading. */
  signal?: AbortSignal,
): Promise<T> {
  const started = Date.now();
  let delay = settings.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const elapsed = Date.now() - started;
      if (!isTransient(error) || elapsed + delay > settings.maxElapsedMs || signal?.aborted) throw error;
      logger.warn({ attempt, retryInMs: delay, error: describeApiError(error) }, `${what}: transient API error, retrying`);
      await sleep(delay, signal);
      if (signal?.aborted) throw error;
      delay = Math.min(delay * 2, settings.maxDelayMs);
    }
  }
}
