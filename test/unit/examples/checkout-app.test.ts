import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCheckoutApp, defaultErrorRatio, failsRequest } from '../../../examples/app/checkout-app.js';
import { runLoad } from '../../../examples/app/load-generator.js';

async function listen(errorRatio: number, version: string): Promise<{ server: Server; url: string }> {
  const { app } = createCheckoutApp({ version, errorRatio });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('failsRequest', () => {
  test.each([
    ['a healthy version fails nothing', 0, 100, 0],
    ['half of the requests fail at 0.5', 0.5, 100, 50],
    ['one in ten fails at 0.1', 0.1, 100, 10],
    ['every request fails at 1', 1, 7, 7],
  ])('%s', (_description, ratio, requests, failures) => {
    const failed = Array.from({ length: requests }, (_, i) => failsRequest(i + 1, ratio)).filter(Boolean).length;
    expect(failed).toBe(failures);
  });
});

describe('defaultErrorRatio', () => {
  test.each([
    ['v1 is healthy', 'v1', 0],
    ['v2 fails half', 'v2', 0.5],
  ])('%s', (_description, version, ratio) => {
    expect(defaultErrorRatio(version)).toBe(ratio);
  });
});

describe('checkout app over real HTTP', () => {
  test('serves the configured error share and exports it as http_requests_total{code} and the latency histogram', async () => {
    const { server, url } = await listen(0.5, 'v2');
    try {
      const report = await runLoad({ url: `${url}/checkout`, rate: 200, durationMs: 100 });
      expect(report.sent).toBe(20);
      expect(report.byStatus).toEqual({ '200': 10, '500': 10 });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('http_requests_total{code="500",version="v2"} 10');
      expect(metrics).toContain('http_requests_total{code="200",version="v2"} 10');
      expect(metrics).toMatch(/http_request_duration_seconds_count\{(?=[^}]*code="200")(?=[^}]*version="v2")[^}]*\} 10\n/);
    } finally {
      server.close();
    }
  });

  test('a healthy version answers every request with 200 and still exports a zero error series (so error ratios are 0, not empty)', async () => {
    const { server, url } = await listen(0, 'v1');
    try {
      const report = await runLoad({ url: `${url}/checkout`, rate: 100, durationMs: 100 });
      expect(report.byStatus).toEqual({ '200': 10 });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('http_requests_total{code="500",version="v1"} 0');
      expect(metrics).toMatch(/http_request_duration_seconds_count\{(?=[^}]*code="500")[^}]*\} 0\n/);
    } finally {
      server.close();
    }
  });

  test('requests that get no answer are counted as "error", not lost', async () => {
    const { server, url } = await listen(0, 'v1');
    await new Promise((resolve) => server.close(resolve));
    const report = await runLoad({ url: `${url}/checkout`, rate: 100, durationMs: 50 });
    expect(report).toEqual({ sent: 5, byStatus: { error: 5 } });
  });
});
