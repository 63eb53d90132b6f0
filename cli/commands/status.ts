import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addKubeconfigOptions, addPrometheusOptions } from '../flags.js';

/** The flags as commander hands them over (strings); status-run.ts checks them. */
export interface StatusFlags {
  namespace?: string;
  name?: string;
  output: string;
  kubeconfig?: string;
  context?: string;
  prometheusUrl?: string;
  prometheusTimeout: string;
}

export function registerStatusCommand(program: Command, context: CliContext): void {
  const command = program
    .command('status')
    .description("every guarded Deployment: status, images, deployed-at, its SLOs' error budget and burn rate, its last rollback (the web UI's overview, for terminals and scripts)")
    .option('-n, --namespace <namespace>', 'only this namespace (default: all namespaces)')
    .option('--name <text>', 'only Deployments whose name contains this text')
    .option('-o, --output <format>', 'table or json (the schema is docs/status.schema.json)', 'table');
  addKubeconfigOptions(command);
  addPrometheusOptions(command).action(async (flags: StatusFlags) => {
    // Loaded when it runs: the Kubernetes client takes a moment to load.
    const { runStatus } = await import('./status-run.js');
    context.stdout(await runStatus(flags, context.clock));
  });
}
