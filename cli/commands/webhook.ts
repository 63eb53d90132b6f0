import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addListenOptions, durationFlag, portFlag } from '../flags.js';

interface WebhookFlags {
  port: string;
  host: string;
  tlsCert: string;
  tlsKey: string;
  rules: string;
  recheck: string;
}

export function registerWebhookCommand(program: Command, context: CliContext): void {
  const command = program.command('webhook').description('serve the mutating admission webhook (HTTPS: POST /mutate, GET /healthz, /readyz, /metrics)');
  addListenOptions(command, { port: '8443', what: 'HTTPS' })
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes')
    .requiredOption('--tls-key <file>', 'private key of the certificate (PEM); reloaded when it changes')
    .requiredOption('--rules <dir>', 'directory of compiled Prometheus rule files or PrometheusRule objects (*.yaml, *.yml, recursive); reloaded when it changes')
    .option('--recheck <duration>', 'also re-read certificates and rules this often, in case a file event was missed', '30s')
    .action(async (flags: WebhookFlags) => {
      const port = portFlag('--port', flags.port);
      const pollMs = durationFlag('--recheck', flags.recheck, 'timer');
      // One import after the other: jest's ESM loader (the CLI tests run in-process) trips on concurrent ones.
      const { Registry, collectDefaultMetrics } = await import('prom-client');
      const { startWebhookServer } = await import('../../webhook/server.js');
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      const logger = context.createLogger('webhook');
      const server = await startWebhookServer({
        port,
        host: flags.host,
        tlsCertFile: flags.tlsCert,
        tlsKeyFile: flags.tlsKey,
        rulesDir: flags.rules,
        logger,
        clock: context.clock,
        registry,
        pollMs,
      });
      const signal = await context.stopSignal;
      logger.info({ signal }, 'stopping the webhook');
      await server.close();
    });
}
