import { createServer } from 'node:net';
import { once } from 'node:events';

/** A TCP port free on 127.0.0.1 right now, for a server a benchmark starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}
