/**
 * Serves the benchmark's raw series live on 127.0.0.1 in the Prometheus text format, continuing the backfilled
 * history: each scrape returns every counter's value at the time of the request.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { Traffic } from './traffic.js';

export async function startExporter(traffic: Traffic): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const now = Date.now() / 1000;
    const body = traffic.series.map((series) => `${series.text} ${traffic.value(series, now).toFixed(3)}`).join('\n');
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${body}\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
