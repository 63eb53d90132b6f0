import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../common/clock.js';
import { main } from '../../../../cli/main.js';
import { capturedContext } from '../run-cli.js';
import { eventually, httpsCall } from '../../webhook/tls-fixtures.js';
import { freePort } from '../../../e2e/harness/ports.js';

function context(stopSignal?: Promise<string>) {
  const { context: value, out, err } = capturedContext({ clock: new ManualClock('2026-11-21T14:00:00Z'), ...(stopSignal ? { stopSignal } : {}) });
  return { value, out, err };
}

describe('metricops webhook', () => {
  test('serves until the stop signal, then exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metricops-webhook-cli-'));
    try {
      await main(['certs', '--service', 'webhook', '--namespace', 'metricops', '--out', join(dir, 'tls'), '--ip', '127.0.0.1'], context().value);
      await mkdir(join(dir, 'rules'));
      const port = await freePort();
      let stop: (signal: string) => void = () => undefined;
      const ctx = context(new Promise((resolve) => (stop = resolve)));
      const running = main(
        ['webhook', '--port', String(port), '--host', '127.0.0.1', '--tls-cert', join(dir, 'tls', 'tls.crt'), '--tls-key', join(dir, 'tls', 'tls.key'), '--rules', join(dir, 'rules')],
        ctx.value,
      );
      const ca = await readFile(join(dir, 'tls', 'ca.crt'), 'utf8');
      const ready = await eventually(async () => (await httpsCall(port, ca, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200);
      expect(ready).toBe(true);
      stop('SIGTERM');
      expect(await running).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test.each([
    { description: 'a port out of range', args: ['--port', '70000'], code: 2, message: '--port "70000" must be a port number from 1 to 65535' },
    { description: 'a bad --recheck duration', args: ['--recheck', 'soon'], code: 2, message: '--recheck: "soon" is not a duration' },
    { description: 'a missing certificate file', args: [], code: 1, message: 'cannot read --tls-cert /nonexistent/tls.crt' },
  ])('rejects $description with a message naming the flag', async ({ args, code, message }) => {
    const ctx = context();
    const argv = ['webhook', '--tls-cert', '/nonexistent/tls.crt', '--tls-key', '/nonexistent/tls.key', '--rules', '/nonexistent', ...args];
    expect(await main(argv, ctx.value)).toBe(code);
    expect(ctx.err.join('')).toContain(message);
  });
});
