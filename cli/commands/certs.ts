import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError, UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

interface CertsFlags {
  service: string;
  namespace: string;
  out: string;
  days: string;
  ip: string[];
  dns: string[];
  force?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9*]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const CERT_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCertsCommand(program: Command, context: CliContext): void {
  program
    .command('certs')
    .description('create a CA and a serving certificate for the webhook Service; prints the base64 caBundle')
    .requiredOption('--service <name>', 'webhook Service name')
    .requiredOption('--namespace <name>', 'namespace of the Service')
    .requiredOption('--out <dir>', 'directory to write ca.crt, tls.crt, tls.key (key mode 0600)')
    .option('--days <n>', 'validity in days', '365')
    .option('--ip <address>', 'extra IP SAN (repeatable), e.g. 127.0.0.1 for local tests', collect, [])
    .option('--dns <name>', 'extra DNS SAN (repeatable)', collect, [])
    .option('--force', 'replace existing files in --out (the caBundle changes too)')
    .action(async (flags: CertsFlags) => {
      const issues = validate(flags);
      if (issues.length > 0) throw new InvalidInputError(issues);
      if (!flags.force) {
        for (const file of Object.values(CERT_FILES)) {
          if (await stat(join(flags.out, file)).then(() => true, () => false)) {
            throw new UsageError(`${join(flags.out, file)} exists; pass --force to replace it (the caBundle changes, update the webhook configuration)`);
          }
        }
      }
      // @peculiar/x509 and its polyfills take a while to load: only when certificates are made.
      const { issueCertificates } = await import('../../webhook/certificates.js');
      const issued = await issueCertificates({
        service: flags.service,
        namespace: flags.namespace,
        days: Number(flags.days),
        extraDnsNames: flags.dns,
        extraIps: flags.ip,
        now: context.clock.now(),
      });
      await mkdir(flags.out, { recursive: true });
      await writeFile(join(flags.out, CERT_FILES.ca), issued.caCert);
      await writeFile(join(flags.out, CERT_FILES.cert), issued.tlsCert);
      const keyFile = join(flags.out, CERT_FILES.key);
      await writeFile(keyFile, issued.tlsKey, { mode: 0o600 });
      await chmod(keyFile, 0o600);
      context.stderr(
        `metricops: wrote ${CERT_FILES.ca}, ${CERT_FILES.cert}, ${CERT_FILES.key} to ${flags.out} ` +
          `(SANs: ${[...issued.dnsNames, ...issued.ips].join(', ')}; valid until ${issued.notAfter.toISOString()}); caBundle on stdout\n`,
      );
      context.stdout(Buffer.from(issued.caCert).toString('base64') + '\n');
    });
}

function validate(flags: CertsFlags): { source: string; message: string }[] {
  const issues: { source: string; message: string }[] = [];
  for (const [flag, value] of [['--service', flags.service], ['--namespace', flags.namespace]] as const) {
    if (!DNS_LABEL.test(value)) issues.push({ source: flag, message: `"${value}" is not a DNS label: lower-case letters, digits and "-", at most 63 characters` });
  }
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 36_500) issues.push({ source: '--days', message: `"${flags.days}" must be a whole number of days from 1 to 36500` });
  for (const ip of flags.ip) if (isIP(ip) === 0) issues.push({ source: '--ip', message: `"${ip}" is not an IPv4 or IPv6 address` });
  for (const dns of flags.dns) if (!DNS_NAME.test(dns)) issues.push({ source: '--dns', message: `"${dns}" is not a DNS name` });
  return issues;
}
