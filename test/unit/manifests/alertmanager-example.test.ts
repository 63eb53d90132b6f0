import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from './manifest-files.js';

const run = promisify(execFile);
const config = join(repoRoot, 'examples/alertmanager/alertmanager.yml');

/** The receivers amtool (Debian prometheus-alertmanager) routes a label set to with this configuration. */
async function receiversFor(labels: string[]): Promise<string[]> {
  const { stdout } = await run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
  return stdout.trim().split(',').sort();
}

describe('examples/alertmanager/alertmanager.yml', () => {
  test('amtool check-config accepts it', async () => {
    const { stdout } = await run('amtool', ['check-config', config]);
    expect(stdout).toContain('SUCCESS');
  });

  test.each([
    ['a page alert from metricops goes to the pipeline and pages the team', ['alertname=CheckoutAvailabilityBurnRate', 'slo_severity=page'], ['metricops', 'team-pager']],
    ['a ticket alert from metricops goes to the pipeline and opens a ticket', ['alertname=CheckoutAvailabilityBurnRate', 'slo_severity=ticket'], ['metricops', 'team-tickets']],
    ['an alert metricops did not generate never reaches the pipeline', ['alertname=NodeDown'], ['default']],
  ])('%s', async (_description, labels, expected) => {
    expect(await receiversFor(labels)).toEqual(expected);
  });

  test('the metricops receiver posts to the feedback Service with a bearer token read from a file and sends resolved alerts', () => {
    const parsed = parse(readFileSync(config, 'utf8')) as {
      receivers: Array<{ name: string; webhook_configs?: Array<Record<string, unknown>> }>;
      route: { routes: Array<{ receiver: string; group_by?: string[] }> };
    };
    const [webhook] = parsed.receivers.find((receiver) => receiver.name === 'metricops')!.webhook_configs!;
    expect(webhook).toMatchObject({
      url: 'http://metricops-feedback.metricops.svc:9095/api/v1/alerts',
      send_resolved: true,
      http_config: { authorization: { type: 'Bearer', credentials_file: expect.stringMatching(/metricops-receiver-token\/token$/) } },
    });
    expect(parsed.route.routes.find((route) => route.receiver === 'metricops')!.group_by).toEqual(['alertname', 'namespace', 'deployment', 'slo']);
  });
});

describe('examples/prometheus-operator/alertmanagerconfig.yaml', () => {
  test('routes and delivers exactly like the plain Alertmanager example', () => {
    const plain = parse(readFileSync(config, 'utf8')) as {
      route: { routes: Array<Record<string, unknown>> };
      receivers: Array<{ name: string; webhook_configs?: Array<Record<string, unknown>> }>;
    };
    const operator = parse(readFileSync(join(repoRoot, 'examples/prometheus-operator/alertmanagerconfig.yaml'), 'utf8')) as {
      spec: { route: Record<string, unknown>; receivers: Array<{ name: string; webhookConfigs: Array<Record<string, unknown>> }> };
    };
    const route = plain.route.routes.find((candidate) => candidate.receiver === 'metricops')!;
    const [webhook] = plain.receivers.find((receiver) => receiver.name === 'metricops')!.webhook_configs!;
    expect(operator.spec.route).toMatchObject({
      receiver: 'metricops',
      matchers: [{ name: 'slo_severity', matchType: '=~', value: 'page|ticket' }],
      groupBy: route.group_by,
      groupWait: route.group_wait,
      groupInterval: route.group_interval,
      repeatInterval: route.repeat_interval,
      continue: route.continue,
    });
    expect(route.matchers).toEqual(['slo_severity=~"page|ticket"']);
    expect(operator.spec.receivers).toEqual([
      {
        name: 'metricops',
        webhookConfigs: [
          {
            url: webhook!.url,
            sendResolved: webhook!.send_resolved,
            maxAlerts: webhook!.max_alerts,
            httpConfig: { authorization: { type: 'Bearer', credentials: { name: 'metricops-receiver-token', key: 'token' } } },
          },
        ],
      },
    ]);
  });
});
