import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../common/clock.js';
import { main } from '../../../../cli/main.js';
import { capturedContext } from '../run-cli.js';
import { freePort } from '../../feedback-pipeline/intake/real-alertmanager.js';
import { waitFor, webhookPayload } from '../../feedback-pipeline/intake/fixtures.js';

async function writeKubeconfig(path: string): Promise<void> {
  const apiPort = await freePort();
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "http://127.0.0.1:${apiPort}"}}]
users: [{name: none, user: {token: x}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
`,
  );
}

function testContext(stopSignal?: Promise<string>) {
  return capturedContext({ clock: new ManualClock('2026-11-21T14:31:00Z'), ...(stopSignal ? { stopSignal } : {}) });
}

describe('metricops feedback', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ['a port out of range', ['--port', '70000'], /--port "70000" must be a port number from 1 to 65535/],
    ['a port that is not a number', ['--port', 'http'], /--port "http"/],
    ['a poll schedule that is not cron', ['--poll-schedule', 'every 30s'], /--poll-schedule "every 30s" is not a cron expression/],
    ['an unknown severity', ['--severities', 'page,critical'], /--severities "page,critical": use a comma-separated list of page, ticket/],
    ['a cluster name with a space', ['--cluster', 'eu 1'], /--cluster "eu 1" is not a cluster name/],
    ['a cooldown that is not a duration', ['--cooldown', '10 minutes'], /--cooldown: "10 minutes" is not a duration/],
    ['an Alertmanager URL without http', ['--alertmanager-url', 'alertmanager:9093'], /--alertmanager-url must be http:\/\/ or https:\/\/, not alertmanager:/],
    ['an Alertmanager URL that is not a URL', ['--alertmanager-url', 'http://'], /--alertmanager-url "http:\/\/" is not a URL/],
    ['a body limit below 1 KiB', ['--max-body-bytes', '10'], /--max-body-bytes "10"/],
    ['an Alertmanager token without an Alertmanager URL', ['--alertmanager-token-file', 'token'], /--alertmanager-token-file needs --alertmanager-url/],
    ['Flux reconcile requests without a GitOps repository', ['--flux-reconcile', 'auto'], /--flux-reconcile needs --gitops-repo/],
    ['a Flux GitRepository that is not NAMESPACE/NAME', ['--gitops-repo', 'g.git', '--flux-reconcile', 'flux-system'], /--flux-reconcile "flux-system": use auto, or the GitRepository as NAMESPACE\/NAME/],
    ['a GitOps settle time that is not a duration', ['--gitops-settle', 'soon'], /--gitops-settle: "soon" is not a duration/],
    ['an unknown flag', ['--tokenfile', 'x'], /unknown option '--tokenfile'/],
  ])('%s is a usage error (exit 2) naming the flag', async (_description, flags, message) => {
    const { context, err } = testContext();
    expect(await main(['feedback', ...flags], context)).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  test('a kubeconfig that does not exist is invalid input (exit 1) naming it', async () => {
    const { context, err } = testContext();
    const missing = join(dir, 'no-kubeconfig');
    expect(await main(['feedback', '--kubeconfig', missing, '--data-dir', join(dir, 'data')], context)).toBe(1);
    expect(err.join('')).toContain(`${missing}: cannot load the Kubernetes configuration`);
  });

  test('a token file that does not exist is invalid input (exit 1) naming the file', async () => {
    const { context, err } = testContext();
    const missing = join(dir, 'no-token');
    expect(await main(['feedback', '--token-file', missing, '--data-dir', dir], context)).toBe(1);
    expect(err.join('')).toContain(`${missing}: --token-file: cannot read credential file ${missing}`);
  });

  test('a port already in use is an error naming the address', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    await writeKubeconfig(join(dir, 'kubeconfig'));
    const { context, err } = testContext();
    try {
      const code = await main(['feedback', '--port', String(port), '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--kubeconfig', join(dir, 'kubeconfig')], context);
      expect(code).toBe(1);
      expect(err.join('')).toContain(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      blocker.close();
    }
  });

  test('runs: answers notifications and history with auth, is not ready without a Kubernetes API, and stops on the signal', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig);
    await writeFile(join(dir, 'token'), 'cli-token\n');
    const remote = join(dir, 'audit.git');
    execFileSync('git', ['init', '--bare', '--initial-branch=main', remote]);
    const port = await freePort();
    let stop: (signal: string) => void = () => undefined;
    const { context, err } = testContext(new Promise((resolve) => (stop = resolve)));
    const running = main(
      ['feedback', '--port', String(port), '--host', '127.0.0.1', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data'), '--git-repo', remote, '--token-file', join(dir, 'token'), '--shutdown-timeout', '2s', '--no-leader-elect'],
      context,
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the server', () => fetch(`${url}/healthz`).then((response) => (response.ok ? true : undefined), () => undefined));
      const auth = { authorization: 'Bearer cli-token', 'content-type': 'application/json' };
      expect((await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: auth, body: JSON.stringify(webhookPayload({ alerts: [] })) })).status).toBe(202);
      expect((await fetch(`${url}/api/v1/alerts`, { method: 'POST', body: JSON.stringify(webhookPayload()) })).status).toBe(401);
      // No Kubernetes API answers, so the informers never sync: not ready.
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      const events = await fetch(`${url}/api/v1/events?namespace=shop`, { headers: auth });
      expect(await events.json()).toEqual({ events: [] });
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('metricops_feedback_notifications_total{source="webhook",result="accepted"} 1');
    } finally {
      stop('SIGTERM');
    }
    expect(await running).toBe(0);
    expect(err.join('')).toBe('');
    // --git-repo ending in .git is a remote: cloned under the data dir, its origin the bare repository.
    expect(execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: join(dir, 'data', 'audit-log-clone'), encoding: 'utf8' }).trim()).toBe(remote);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);

  test('Git unreachable at start (--git-repo and --gitops-repo remotes that do not answer yet): it starts, answers, and clones them once they answer', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig);
    await writeFile(join(dir, 'token'), 'cli-token\n');
    const audit = join(dir, 'late-audit.git');
    const port = await freePort();
    let stop: (signal: string) => void = () => undefined;
    const { context, err } = testContext(new Promise((resolve) => (stop = resolve)));
    const running = main(
      ['feedback', '--port', String(port), '--host', '127.0.0.1', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data-late'), '--git-repo', audit,
        '--gitops-repo', join(dir, 'late-gitops.git'), '--token-file', join(dir, 'token'), '--shutdown-timeout', '2s', '--no-leader-elect'],
      context,
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the server', () => fetch(`${url}/healthz`).then((response) => (response.ok ? true : undefined), () => undefined));
      const auth = { authorization: 'Bearer cli-token', 'content-type': 'application/json' };
      expect((await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: auth, body: JSON.stringify(webhookPayload({ alerts: [] })) })).status).toBe(202);
      // The history reads a clone that is not there yet: empty, not an error.
      const events = await fetch(`${url}/api/v1/events?namespace=shop`, { headers: auth });
      expect({ status: events.status, body: await events.json() }).toEqual({ status: 200, body: { events: [] } });
      // The audit remote answers now: the shutdown's last flush clones it.
      execFileSync('git', ['init', '--bare', '--initial-branch=main', audit]);
    } finally {
      stop('SIGTERM');
    }
    expect(await running).toBe(0);
    expect(err.join('')).toBe('');
    expect(execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: join(dir, 'data-late', 'audit-log-clone'), encoding: 'utf8' }).trim()).toBe(audit);
  }, 60_000);

  test('with leader election (the default) and no Kubernetes API: no replica leads, so notifications get 503 with Retry-After', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig);
    await writeFile(join(dir, 'token'), 'cli-token\n');
    const port = await freePort();
    let stop: (signal: string) => void = () => undefined;
    const { context } = testContext(new Promise((resolve) => (stop = resolve)));
    const running = main(['feedback', '--port', String(port), '--host', '127.0.0.1', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data-le'), '--token-file', join(dir, 'token')], context);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the server', () => fetch(`${url}/healthz`).then((response) => (response.ok ? true : undefined), () => undefined));
      const response = await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: { authorization: 'Bearer cli-token', 'content-type': 'application/json' }, body: JSON.stringify(webhookPayload()) });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toEqual({ error: expect.stringContaining('does not lead') });
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'not ready', role: 'follower', leader: null });
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/metricops_feedback_leader\{identity="[^"]+_[0-9a-f]{8}"\} 0/);
    } finally {
      stop('SIGTERM');
    }
    expect(await running).toBe(0);
  }, 60_000);

  test.each([
    { description: 'a renew deadline not shorter than the lease duration', args: ['--leader-elect-lease-duration', '10s', '--leader-elect-renew-deadline', '10s'], message: 'the lease duration must be longer than the renew deadline' },
    { description: 'a retry period too close to the renew deadline', args: ['--leader-elect-retry-period', '9s'], message: 'the renew deadline must be longer than 1.2 x the retry period' },
    { description: 'a Lease name that is not a DNS subdomain', args: ['--leader-elect-resource-name', 'Metricops_Lease'], message: '--leader-elect-resource-name "Metricops_Lease" is not a valid Lease name' },
    { description: 'a namespace list with a bad name', args: ['--namespaces', 'shop,Pay Ments'], message: 'not a namespace name: Pay Ments' },
    { description: 'an https advertise URL', args: ['--advertise-url', 'https://10.0.0.1:9095'], message: '--advertise-url must be http://' },
  ])('usage error (exit 2): $description', async ({ args, message }) => {
    const { context, err } = testContext(new Promise(() => undefined));
    expect(await main(['feedback', '--kubeconfig', join(dir, 'kubeconfig'), ...args], context)).toBe(2);
    expect(err.join('')).toContain(message);
  });
});
