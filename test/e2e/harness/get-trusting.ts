import { request } from 'node:https';

/**
 * GET https://127.0.0.1:<port><path> the way the apiserver calls a webhook: trusting only `ca` (the caBundle) and
 * checking the certificate against `servername` (the Service's DNS name). Resolves with the status code.
 */
export function getTrusting(port: number, path: string, ca: string, servername: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
