/**
 * RFC 3339 timestamps, read strictly: every field is checked against the calendar and the clock, so an impossible
 * time is refused instead of rolled over the way `new Date()` does (2026-02-30 would become 2 March, 24:00 the next
 * day). Shared by every reader of a timestamp from outside (alerts, annotations).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const RFC3339_EXAMPLE = '2026-01-02T15:04:05Z';

export type Rfc3339Result = { ok: true; value: Date } | { ok: false; problem: string };

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses `2026-01-02T15:04:05Z`, `2026-01-02T15:04:05.123456789+02:00` (fractions beyond milliseconds are cut, as
 * a Date holds milliseconds). Refuses what is not that shape, and out-of-range fields: month 13, day 30 of February,
 * hour 24 or more, minute or second 60 or more (Go, which Alertmanager and Kubernetes are written in, has no leap
 * seconds either), offsets of 24 hours or more.
 */
export function parseRfc3339(text: string): Rfc3339Result {
  const match = RFC3339.exec(text);
  if (!match) return { ok: false, problem: `must be an RFC 3339 timestamp such as ${RFC3339_EXAMPLE}` };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ?? '';
  const offsetSign = match[9] === '-' ? -1 : 1;
  const offsetHours = match[10] === undefined ? 0 : Number(match[10]);
  const offsetMinutes = match[11] === undefined ? 0 : Number(match[11]);
  const problems: string[] = [];
  if (month < 1 || month > 12) problems.push(`month ${match[2]} is not 01-12`);
  else if (day < 1 || day > daysIn(year, month)) problems.push(`day ${match[3]} is not in ${year}-${match[2]} (01-${daysIn(year, month)})`);
  if (hour > 23) problems.push(`hour ${match[4]} is not 00-23`);
  if (minute > 59) problems.push(`minute ${match[5]} is not 00-59`);
  if (second > 59) problems.push(`second ${match[6]} is not 00-59`);
  if (offsetHours > 23 || offsetMinutes > 59) problems.push(`offset ${match[9]}${match[10]}:${match[11]} is not a time zone offset (-23:59 to +23:59)`);
  if (problems.length > 0) return { ok: false, problem: `"${text}" is not a real date and time: ${problems.join(', ')}` };
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999 (Go's zero time is year 1).
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  return { ok: true, value: new Date(date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000) };
}
