#!/usr/bin/env node
// The checkout example service: `node dist/examples/app/server.js --version v2 --port 8080 [--error-ratio 0.5]`.
import { Command, InvalidArgumentError } from 'commander';
import { createCheckoutApp, defaultErrorRatio } from './checkout-app.js';
import { parsePort, parseRatio } from './flags.js';

const program = new Command('checkout')
  .description('example service for the metricops demo: v1 is healthy, other versions fail a share of requests')
  .requiredOption('--version <version>', 'version to play, e.g. v1 or v2 (the image tag)')
  .option('--port <port>', 'port on 127.0.0.1', parsePort, 8080)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--error-ratio <share>', 'share of requests that fail with HTTP 500, 0..1 (default: 0 for v1, else $CHECKOUT_ERROR_RATIO or 0.5)', parseRatio)
  .showHelpAfterError();

program.parse();
const flags = program.opts<{ version: string; port: number; host: string; errorRatio?: number }>();
let errorRatio = flags.errorRatio;
if (errorRatio === undefined) {
  const fromEnv = process.env.CHECKOUT_ERROR_RATIO;
  try {
    errorRatio = fromEnv && flags.version !== 'v1' ? parseRatio(fromEnv) : defaultErrorRatio(flags.version);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    program.error(`environment variable CHECKOUT_ERROR_RATIO: ${error.message}`, { exitCode: 2 });
  }
}
const { app } = createCheckoutApp({ version: flags.version, errorRatio: errorRatio ?? 0 });
const server = app.listen(flags.port, flags.host, () => {
  console.log(JSON.stringify({ msg: 'checkout listening', version: flags.version, errorRatio, port: flags.port, host: flags.host }));
});
server.on('error', (error) => {
  console.error(`checkout: cannot listen on ${flags.host}:${flags.port}: ${error.message}`);
  process.exit(1);
});
const shutdown = (): void => void server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
