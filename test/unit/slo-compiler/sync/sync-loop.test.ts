import { join } from 'node:path';
import { systemClock } from '../../../../common/clock.js';
import { silentLogger } from '../../../../common/logger.js';
import { defaultGitFactory, RuleSync, type SyncOutcome } from '../../../../slo-compiler/sync/rule-sync.js';
import { SyncLoop, type Scheduler } from '../../../../slo-compiler/sync/sync-loop.js';
import { CHECKOUT_SLO, RemoteFixture } from './git-fixture.js';

/** A scheduler the test fires by hand. */
function manualScheduler() {
  const state = { tick: undefined as undefined | (() => Promise<unknown>), expression: '', stopped: false };
  const scheduler: Scheduler = (expression, tick) => {
    state.expression = expression;
    state.tick = tick;
    return { stop: () => void (state.stopped = true) };
  };
  return { scheduler, state };
}

describe('SyncLoop', () => {
  test('a tick while the previous sync still runs is skipped, not run twice', async () => {
    let finish!: (outcome: SyncOutcome) => void;
    let calls = 0;
    const unchanged: SyncOutcome = { status: 'unchanged', pushed: false, durationMs: 1 };
    const slow = {
      runOnce: () => {
        calls += 1;
        return calls === 1 ? new Promise<SyncOutcome>((resolve) => (finish = resolve)) : Promise.resolve(unchanged);
      },
    };
    const loop = new SyncLoop(slow, '* * * * *', silentLogger());

    const first = loop.tick();
    const second = await loop.tick();
    finish(unchanged);

    expect(second).toEqual({ status: 'skipped' });
    expect(await first).toEqual(unchanged);
    expect(calls).toBe(1);
    expect(await loop.tick()).toEqual(unchanged);
    expect(calls).toBe(2);
  });

  test('a failing sync is reported and the next tick runs again', async () => {
    let calls = 0;
    const flaky = {
      runOnce: async (): Promise<SyncOutcome> => {
        calls += 1;
        if (calls === 1) throw new Error('network down');
        return { status: 'unchanged', pushed: false, durationMs: 1 };
      },
    };
    const loop = new SyncLoop(flaky, '* * * * *', silentLogger());

    expect(await loop.tick()).toEqual({ status: 'failed', error: expect.stringContaining('network down') });
    expect(await loop.tick()).toMatchObject({ status: 'unchanged' });
  });

  describe('with a real repository', () => {
    let fixture: RemoteFixture;
    beforeEach(async () => {
      fixture = await RemoteFixture.create();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    test('keeps running past a bad spec commit and commits once the spec is fixed; stops on the signal', async () => {
      const sync = new RuleSync({
        options: { repo: fixture.remote, sloDir: 'slos', outDir: 'rules', branch: 'main', workdir: join(fixture.root, 'clone'), format: 'prometheus' },
        logger: silentLogger(),
        clock: systemClock,
        git: defaultGitFactory(silentLogger()),
      });
      const { scheduler, state } = manualScheduler();
      const loop = new SyncLoop(sync, '*/5 * * * *', silentLogger(), scheduler);
      const person = await fixture.clone('person');
      await fixture.commitAndPush(person, { 'slos/checkout.yaml': CHECKOUT_SLO.replace('objective: 99.9', 'objective: 0') }, 'bad objective');
      let stop!: (signal: string) => void;
      const running = loop.run(new Promise((resolve) => (stop = resolve)));

      expect(state.expression).toBe('*/5 * * * *');
      await loop.idle(); // run() syncs once at start
      expect(await state.tick!()).toMatchObject({ status: 'invalid' });
      expect(fixture.remoteFiles().some((path) => path.startsWith('rules/'))).toBe(false);

      await fixture.commitAndPush(person, { 'slos/checkout.yaml': CHECKOUT_SLO }, 'fix objective');
      expect(await state.tick!()).toMatchObject({ status: 'committed' });
      expect(fixture.remoteFiles()).toContain('rules/checkout-availability.rules.yaml');

      stop('SIGTERM');
      await running;
      expect(state.stopped).toBe(true);
    });
  });
});
