export interface LoadOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  /** How long to send, in milliseconds; the load always ends. */
  durationMs: number;
  signal?: AbortSignal;
}

export interface LoadReport {
  sent: number;
  /** Count per HTTP status; "error" for requests that got no answer (connection refused, e.g. during a restart). */
  byStatus: Record<string, number>;
}

/** Sends `rate` requests per second to `url` for `durationMs` (spread over each second), then reports. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { sent: 0, byStatus: {} };
  const count = (key: string): void => {
    report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
  };
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const spacingMs = 1000 / options.rate;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total && !options.signal?.aborted; i++) {
    const due = started + i * spacingMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    report.sent += 1;
    const request = fetch(options.url, { method: 'POST', signal: AbortSignal.timeout(5_000) })
      .then(async (response) => {
        await response.arrayBuffer();
        count(String(response.status));
      })
      .catch(() => count('error'))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  return report;
}
