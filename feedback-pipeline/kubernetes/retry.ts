/**
 * Retries of Kubernetes API calls: transient failures (connection refused or reset, timeouts, 429, 5xx) are retried
 * with exponential backoff for a bounded time, so that an apiserver briefly stopped during a rollback does not lose
 * it. Anything else (4xx, conflicts) is returned to the caller at once.
 */
import { ApiException } from '@kubernetes/client-node';
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

/** The HTTP status of a failed API call, if it got that far. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
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
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown } | string | undefined;
    let message: unknown = typeof body === 'object' && body !== null ? body.message : undefined;
    if (message === undefined && typeof body === 'string') {
      try {
        message = (JSON.parse(body) as { message?: unknown }).message;
      } catch {
        message = undefined;
      }
    }
    return `HTTP ${error.code}${typeof message === 'string' ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(
  what: string,
  operation: () => Promise<T>,
  settings: RetrySettings,
  logger: Logger,
): Promise<T> {
  const started = Date.now();
  let delay = settings.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const elapsed = Date.now() - started;
      if (!isTransient(error) || elapsed + delay > settings.maxElapsedMs) throw error;
      logger.warn({ attempt, retryInMs: delay, error: describeApiError(error) }, `${what}: transient API error, retrying`);
      await sleep(delay);
      delay = Math.min(delay * 2, settings.maxDelayMs);
    }
  }
}
