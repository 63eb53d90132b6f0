/**
 * Reading a JSON request body, for every metricops server (the webhook's POST /mutate, the feedback pipeline's
 * POST /api/v1/alerts): the content type, the body-parser (express.json) bounds, and the one mapping of what can go
 * wrong while reading a body to a 4xx answer with a message that says what and how to fix it. Never a 5xx: a client
 * that sent a bad body gets told so, and does not retry (Alertmanager retries 5xx, not 4xx).
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';

export interface JsonBodyLimits {
  /** Largest body, in bytes, after decompression (body-parser counts the decoded bytes). */
  limitBytes: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/** What the client did wrong with the body: the HTTP status and the message to send back. */
export interface BodyProblem {
  status: 400 | 413 | 415;
  /** too-large: over the byte limit; invalid: everything else (not JSON, bad encoding, too deep...). */
  kind: 'too-large' | 'invalid';
  message: string;
}

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;(.*))?$/i;
const CHARSET = /(?:^|;)\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * `application/json`, with no charset or `charset=utf-8` (JSON between systems is UTF-8, RFC 8259 section 8.1):
 * undefined when acceptable, else the 415 to answer.
 */
export function jsonContentTypeProblem(contentType: string | undefined): BodyProblem | undefined {
  const value = (contentType ?? '').trim();
  const media = JSON_MEDIA_TYPE.exec(value);
  if (!media) {
    return { status: 415, kind: 'invalid', message: `content type must be application/json, got ${value === '' ? 'none' : value}` };
  }
  const charset = CHARSET.exec(media[1] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return { status: 415, kind: 'invalid', message: `charset "${charset}" is not supported: send the JSON as UTF-8 (Content-Type: application/json; charset=utf-8)` };
  }
  return undefined;
}

/** Thrown by the body check (before JSON.parse): body-parser passes it on with this status and type. */
class BodyCheckError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    readonly type: 'entity.not.utf8' | 'entity.too.deep',
  ) {
    super(message);
  }
}

/**
 * express.json for any content type (check it first with jsonContentTypeProblem), with the byte limit, and a check
 * of the decoded bytes before they are parsed: valid UTF-8 (no silent U+FFFD in a label value) and nested at most
 * maxDepth deep (JSON.parse copes with deep nesting, but what walks the result recursively does not).
 */
export function jsonBodyParser(limits: JsonBodyLimits): RequestHandler {
  return express.json({
    limit: limits.limitBytes,
    type: () => true,
    verify: (_req, _res, body) => {
      if (!isUtf8(body)) throw new BodyCheckError('request body is not valid UTF-8: send the JSON as UTF-8', 'entity.not.utf8');
      const depth = jsonDepthOver(body, limits.maxDepth);
      if (depth !== undefined) {
        throw new BodyCheckError(`request body nests arrays and objects deeper than ${limits.maxDepth} levels (at byte ${depth})`, 'entity.too.deep');
      }
    },
  });
}

/** The offset of the first bracket deeper than maxDepth, or undefined. Brackets inside strings do not count. */
export function jsonDepthOver(body: Uint8Array, maxDepth: number): number | undefined {
  const OPEN_OBJECT = 0x7b;
  const OPEN_ARRAY = 0x5b;
  const CLOSE_OBJECT = 0x7d;
  const CLOSE_ARRAY = 0x5d;
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index]!;
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) return index;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return undefined;
}

/**
 * The one mapping of an error raised while reading a request body (body-parser, raw-body, zlib, the checks above)
 * to the 4xx to answer, by its `type` and `status`; undefined for an error that is not about the body (a bug: the
 * caller answers 500).
 */
export function bodyProblem(error: unknown, req: Pick<IncomingMessage, 'headers'>): BodyProblem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, message, limit, length } = error as { type?: unknown; status?: unknown; message?: unknown; limit?: unknown; length?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const encoding = req.headers['content-encoding'] ?? 'identity';
  switch (type) {
    case 'entity.too.large':
      return {
        status: 413,
        kind: 'too-large',
        message: `request body${typeof length === 'number' ? ` (${length} bytes)` : ''} is larger than the limit of ${String(limit)} bytes`,
      };
    case 'entity.parse.failed':
      return { status: 400, kind: 'invalid', message: `request body is not JSON: ${text}` };
    case 'entity.not.utf8':
    case 'entity.too.deep':
      return { status: 400, kind: 'invalid', message: text };
    case 'encoding.unsupported':
      return { status: 415, kind: 'invalid', message: `Content-Encoding ${JSON.stringify(encoding)} is not supported: send the body uncompressed (identity), gzip, deflate or br` };
    case 'charset.unsupported':
      return { status: 415, kind: 'invalid', message: `${text}: send the JSON as UTF-8` };
    case 'request.aborted':
      return { status: 400, kind: 'invalid', message: 'the client closed the connection before the whole body arrived' };
    case 'request.size.invalid':
      return { status: 400, kind: 'invalid', message: `the body's length does not match its Content-Length header (${String(req.headers['content-length'])})` };
    case 'parameters.too.many':
      return { status: 413, kind: 'too-large', message: text };
    default:
      break;
  }
  // zlib and brotli errors (a body that is not what its Content-Encoding says) come with status 400 and no type.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const problem = encoding === 'identity' ? `cannot read the request body: ${text}` : `request body is not valid ${encoding} data, as its Content-Encoding says (${text}): compress it, or drop the header`;
    return { status: status === 413 ? 413 : status === 415 ? 415 : 400, kind: status === 413 ? 'too-large' : 'invalid', message: problem };
  }
  return undefined;
}
