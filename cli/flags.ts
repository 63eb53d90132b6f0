/**
 * Flags that several commands share: their registration with commander and their checks. Each check throws
 * UsageError (exit 2) naming the flag and saying what a valid value looks like. No npm package is loaded here:
 * cli/main.ts reaches this file at start-up.
 */
import type { Command } from 'commander';
import { DurationError, MAX_TIMER_MS, parseDuration } from '../common/duration.js';
import { UsageError } from '../common/errors.js';

/** --port and --host of a server command. */
export function addListenOptions(command: Command, defaults: { port: string; what: string }): Command {
  return command.option('--port <port>', `${defaults.what} port`, defaults.port).option('--host <address>', 'address to listen on', '0.0.0.0');
}

/** --kubeconfig and --context of a command that reaches the Kubernetes API. */
export function addKubeconfigOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context');
}

/** --prometheus-url and --prometheus-timeout of a command that reads the SLO numbers (checked by commands/http-url.ts). */
export function addPrometheusOptions(command: Command): Command {
  return command
    .option('--prometheus-url <url>', 'Prometheus that evaluates the compiled SLO rules (error budgets, burn rates, alert states); user:password@ in the URL is sent as Basic auth')
    .option('--prometheus-timeout <duration>', 'longest wait for one Prometheus answer', '3s');
}

export function portFlag(flag: string, text: string): number {
  return wholeNumberFlag(flag, text, 1, 65_535, 'a port number');
}

export function wholeNumberFlag(flag: string, text: string, min: number, max: number, what = 'a whole number'): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${flag} "${text}" must be ${what} from ${min} to ${max}`);
  return value;
}

/** A Prometheus-style duration ("30s", "10m") in milliseconds; `timer`: it arms a timer, so at most about 24 days. */
export function durationFlag(flag: string, text: string, use: 'value' | 'timer' = 'value'): number {
  let milliseconds: number;
  try {
    milliseconds = parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
  if (use === 'timer' && milliseconds > MAX_TIMER_MS) throw new UsageError(`${flag}: "${text}" is longer than a timer can wait (24d20h31m23s647ms): use 24d or less`);
  return milliseconds;
}

/** A cluster name, the value of the `cluster` alert label: no spaces or control characters, at most 253 characters. */
export function clusterFlag(flag: string, text: string): string {
  if (!/^[^\s\p{Cc}]{1,253}$/u.test(text)) {
    throw new UsageError(`${flag} "${text}" is not a cluster name: give the value of the cluster label, without spaces (e.g. eu-west-1)`);
  }
  return text;
}
