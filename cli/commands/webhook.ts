import type { Command } from 'commander';
import { DurationError, parseDuration } from '../../common/duration.js';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

interface WebhookFlags {
  port: string;
  host: string;
  tlsCert: string;
  tlsKey: string;
  rules: string;
  recheck: string;
}

export function registerWebhookCommand(program: Command, context: CliContext): void {
  program
    .command('webhook')
    .description('serve the mutating admission webhook (HTTPS: POST /mutate, GET /healthz, /readyz, /metrics)')
    .option('--port <port>', 'HTTPS port', '8443')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes')
    .requiredOption('--tls-key <file>', 'private key of the certificate (PEM); reloaded when it changes')
    .requiredOption('--rules <dir>', 'directory of compiled Prometheus rule files or PrometheusRule objects (*.yaml, *.yml, recursive); reloaded when it changes')
    .option('--recheck <duration>', 'also re-read certificates and rules this often, in case a file event was missed', '30s')
    .action(async (flags: WebhookFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`--port "${flags.port}" must be a port number from 1 to 65535`);
      let pollMs: number;
      try {
        pollMs = parseDuration(flags.recheck);
      } catch (error) {
        if (error instanceof DurationError) throw new UsageError(`--recheck: ${error.message}`);
        throw error;
      }
      const [{ Registry, collectDefaultMetrics }, { startWebhookServer }] = await Promise.all([
        import('prom-client'),
        import('../../webhook/server.js'),
      ]);
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
