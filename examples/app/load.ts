#!/usr/bin/env node
// Load generator for the checkout example: `node dist/examples/app/load.js --url http://127.0.0.1:8080/checkout --rate 20 --duration 60`.
import { Command } from 'commander';
import { parsePositive } from './flags.js';
import { runLoad } from './load-generator.js';

const program = new Command('checkout-load')
  .description('sends a steady request rate to the checkout example for a bounded time, then prints counts per status')
  .requiredOption('--url <url>', 'URL to call, e.g. http://127.0.0.1:8080/checkout')
  .option('--rate <requests-per-second>', 'requests per second', parsePositive, 20)
  .option('--duration <seconds>', 'how long to send', parsePositive, 60)
  .showHelpAfterError();
program.parse();
const flags = program.opts<{ url: string; rate: number; duration: number }>();
try {
  new URL(flags.url);
} catch {
  program.error(`--url "${flags.url}" is not a URL: use e.g. http://127.0.0.1:8080/checkout`, { exitCode: 2 });
}
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
const report = await runLoad({ url: flags.url, rate: flags.rate, durationMs: flags.duration * 1000, signal: controller.signal });
console.log(JSON.stringify(report));
