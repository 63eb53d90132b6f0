/** When `metricops sync` runs without --schedule: every five minutes. Its own module so the CLI can show it cheaply. */
export const DEFAULT_SCHEDULE = '*/5 * * * *';
