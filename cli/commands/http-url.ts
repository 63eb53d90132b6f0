/** Checks of URL flags (loaded when a command runs: redactUrl comes with the Git module). */
import { UsageError } from '../../common/errors.js';
import { redactUrl } from '../../common/git-repository.js';
import { durationFlag } from '../flags.js';

/** An http:// or https:// URL; throws UsageError naming the flag, with an example. */
export function checkHttpUrl(flag: string, text: string, example: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${redactUrl(text)}" is not a URL: e.g. ${example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be http:// or https://, not ${url.protocol}`);
}

/** --prometheus-url and --prometheus-timeout (addPrometheusOptions), checked; undefined without a URL. */
export function prometheusSettings(flags: { prometheusUrl?: string; prometheusTimeout: string }): { url: string; timeoutMs: number } | undefined {
  const timeoutMs = durationFlag('--prometheus-timeout', flags.prometheusTimeout);
  if (flags.prometheusUrl === undefined) return undefined;
  checkHttpUrl('--prometheus-url', flags.prometheusUrl, 'http://prometheus.monitoring:9090');
  return { url: flags.prometheusUrl, timeoutMs };
}
