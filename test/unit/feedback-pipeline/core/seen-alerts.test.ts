import { ManualClock } from '../../../../common/clock.js';
import { SeenAlerts } from '../../../../feedback-pipeline/core/seen-alerts.js';

const occurrence = (fingerprint: string, startsAt: string) => ({ fingerprint, startsAt: new Date(startsAt) });

describe('SeenAlerts', () => {
  test.each([
    { description: 'the same fingerprint and startsAt is a duplicate', second: occurrence('a', '2026-11-21T10:00:00Z'), claimed: false },
    { description: 'the same fingerprint with a new startsAt is a new occurrence', second: occurrence('a', '2026-11-21T11:00:00Z'), claimed: true },
    { description: 'another fingerprint with the same startsAt is a new alert', second: occurrence('b', '2026-11-21T10:00:00Z'), claimed: true },
  ])('$description', ({ second, claimed }) => {
    const seen = new SeenAlerts(new ManualClock('2026-11-21T10:00:00Z'));
    expect(seen.claim(occurrence('a', '2026-11-21T10:00:00Z'))).toBe(true);
    expect(seen.claim(second)).toBe(claimed);
  });

  test('a released occurrence is decided again', () => {
    const seen = new SeenAlerts(new ManualClock('2026-11-21T10:00:00Z'));
    const alert = occurrence('a', '2026-11-21T10:00:00Z');
    seen.claim(alert);
    seen.release(alert);
    expect(seen.claim(alert)).toBe(true);
  });

  test('occurrences older than the retention are forgotten, newer ones kept', () => {
    const clock = new ManualClock('2026-11-21T10:00:00Z');
    const seen = new SeenAlerts(clock, 60_000);
    seen.claim(occurrence('old', '2026-11-21T10:00:00Z'));
    clock.advance(30_000);
    seen.claim(occurrence('new', '2026-11-21T10:00:00Z'));
    clock.advance(30_000);
    expect(seen.claim(occurrence('other', '2026-11-21T10:00:00Z'))).toBe(true);
    expect(seen.size).toBe(2);
    expect(seen.claim(occurrence('new', '2026-11-21T10:00:00Z'))).toBe(false);
    expect(seen.claim(occurrence('old', '2026-11-21T10:00:00Z'))).toBe(true);
  });
});
