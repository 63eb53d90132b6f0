import { request } from 'node:https';

/** GET over HTTPS trusting only `ca` (the harness' own CAs), optionally with a bearer token. */
export function httpsGet(url: string, ca: Buffer | string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    const req = request(url, { ca, headers, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', fail);
    req.end();
  });
}
