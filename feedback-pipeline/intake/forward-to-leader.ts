/**
 * On a replica that does not lead, a notification goes on to the leader: the request body is streamed as is to the
 * leader's URL (from the Lease), with the caller's Authorization and Content-Type, and the leader's answer (202, 400,
 * 401, 413, 503...) is relayed to Alertmanager unchanged. When no leader is known, or it cannot be reached, the answer
 * is 503 with Retry-After, which Alertmanager retries. A forwarded request carries FORWARDED_HEADER and is never
 * forwarded again (a replica that receives one and does not lead answers 503 itself), so two replicas with different
 * views of the Lease cannot bounce a notification between them.
 */
import http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../common/logger.js';

export const FORWARDED_HEADER = 'x-metricops-forwarded-by';
const FORWARD_TIMEOUT_MS = 10_000;

export interface ForwardingSettings {
  /** The leader's notification URL (`http://host:port`) while another replica leads; undefined when this one leads or none is known. */
  leaderUrl(): string | undefined;
  /** This replica, named in FORWARDED_HEADER. */
  identity: string;
  logger: Logger;
  /** Called with the leader's HTTP status, or 'unavailable' when it could not be asked. */
  forwarded?(result: number | 'unavailable'): void;
}

/** Express middleware for POST /api/v1/alerts, after authentication and before the body is read. */
export function forwardToLeader(settings: ForwardingSettings) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.get(FORWARDED_HEADER) !== undefined) return next();
    const leader = settings.leaderUrl();
    if (leader === undefined) return next();
    let target: URL;
    try {
      target = new URL('/api/v1/alerts', leader);
    } catch {
      settings.logger.error({ leader }, 'the Lease names a leader URL that is not a URL');
      return next();
    }
    const headers: Record<string, string> = { [FORWARDED_HEADER]: settings.identity };
    for (const name of ['authorization', 'content-type', 'content-length', 'content-encoding']) {
      const value = req.get(name);
      if (value !== undefined) headers[name] = value;
    }
    const unavailable = (why: string) => {
      settings.forwarded?.('unavailable');
      settings.logger.warn({ leader: target.origin, why }, 'could not forward the notification to the leader: 503, Alertmanager retries');
      if (!res.headersSent) res.status(503).set('Retry-After', '1').json({ error: `this replica does not lead and the leader (${target.origin}) did not answer: retry later` });
    };
    const upstream = http.request(target, { method: 'POST', headers, timeout: FORWARD_TIMEOUT_MS }, (answer) => {
      const status = answer.statusCode ?? 502;
      settings.forwarded?.(status);
      res.status(status);
      for (const name of ['content-type', 'retry-after', 'www-authenticate']) {
        const value = answer.headers[name];
        if (value !== undefined) res.set(name, value as string);
      }
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`)));
    upstream.on('error', (error) => unavailable(error.message));
    req.pipe(upstream);
  };
}
