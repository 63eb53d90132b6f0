/** Where in the user's input a problem is: enough to find it without reading our code. */
export interface InputLocation {
  /** File path, URL or a name such as "request body". */
  source: string;
  /** 0-based index of the YAML document inside a multi-document file. */
  document?: number;
  /** Dotted field path inside the document, e.g. "spec.indicator.ratio.errors". */
  path?: string;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
}

export interface InputIssue extends InputLocation {
  message: string;
}

export function formatLocation(location: InputLocation): string {
  const parts = [location.source];
  if (location.document !== undefined) parts.push(`document ${location.document}`);
  if (location.line !== undefined) {
    parts.push(location.column !== undefined ? `line ${location.line}:${location.column}` : `line ${location.line}`);
  }
  const where = parts.join(', ');
  return location.path ? `${where}: ${location.path}` : where;
}

export function formatIssue(issue: InputIssue): string {
  return `${formatLocation(issue)}: ${issue.message}`;
}

/** Base class of every error metricops raises on purpose. */
export class MetricopsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input from outside (files, flags, HTTP bodies) is invalid. The CLI exits 1. */
export class InvalidInputError extends MetricopsError {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[], options?: { cause?: unknown }) {
    const head = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid input (${head}):\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`, options);
    this.issues = issues;
  }
}

/** The command line itself is wrong (unknown flag, missing argument). The CLI exits 2. */
export class UsageError extends MetricopsError {}
