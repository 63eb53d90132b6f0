import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../common/clock.js';
import { main } from '../../../../cli/main.js';
import { capturedContext } from '../run-cli.js';

function context(stopSignal?: Promise<string>) {
  const { context: value, out, err } = capturedContext({ clock: new ManualClock('2026-11-21T14:00:00Z'), ...(stopSignal ? { stopSignal } : {}) });
  return { value, out, err };
}

describe('metricops certs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-certs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes a CA and a serving certificate for the Service, the key private, and prints the caBundle', async () => {
    const ctx = context();
    const code = await main(['certs', '--service', 'metricops-webhook', '--namespace', 'metricops', '--out', dir, '--days', '30', '--ip', '127.0.0.1', '--dns', 'webhook.local'], ctx.value);
    expect(code).toBe(0);
    const [caPem, certPem] = await Promise.all([readFile(join(dir, 'ca.crt'), 'utf8'), readFile(join(dir, 'tls.crt'), 'utf8')]);
    expect(Buffer.from(ctx.out.join('').trim(), 'base64').toString()).toBe(caPem);
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe(
      'DNS:metricops-webhook, DNS:metricops-webhook.metricops, DNS:metricops-webhook.metricops.svc, DNS:metricops-webhook.metricops.svc.cluster.local, DNS:webhook.local, IP Address:127.0.0.1',
    );
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(cert.validTo).getTime() - new Date('2026-11-21T14:00:00Z').getTime()).toBeLessThanOrEqual(30 * 86_400_000);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(await readFile(join(dir, 'tls.key'))))).toBe(true);
    expect((await stat(join(dir, 'tls.key'))).mode & 0o777).toBe(0o600);
  });

  test.each([
    { description: 'a Service name that is not a DNS label', args: ['--service', 'Web_Hook'], message: '--service: "Web_Hook" is not a DNS label' },
    { description: 'a non-numeric --days', args: ['--days', 'year'], message: '--days: "year" must be a whole number of days' },
    { description: 'an --ip that is not an address', args: ['--ip', 'localhost'], message: '--ip: "localhost" is not an IPv4 or IPv6 address' },
  ])('rejects $description with exit code 1 and says which flag', async ({ args, message }) => {
    const ctx = context();
    const base: Record<string, string> = { '--service': 'webhook', '--namespace': 'metricops', '--out': dir };
    for (let index = 0; index < args.length; index += 2) base[args[index]!] = args[index + 1]!;
    const argv = ['certs', ...Object.entries(base).flat()];
    expect(await main(argv, ctx.value)).toBe(1);
    expect(ctx.err.join('')).toContain(message);
  });

  test('refuses to replace existing files without --force (exit 2), and replaces them with it', async () => {
    await writeFile(join(dir, 'ca.crt'), 'old');
    const argv = ['certs', '--service', 'webhook', '--namespace', 'metricops', '--out', dir];
    const refused = context();
    expect(await main(argv, refused.value)).toBe(2);
    expect(refused.err.join('')).toContain('exists; pass --force');
    expect(await main([...argv, '--force'], context().value)).toBe(0);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
