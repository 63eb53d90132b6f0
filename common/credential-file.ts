import { isUtf8 } from 'node:buffer';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { MetricopsError } from './errors.js';
import type { Logger } from './logger.js';

export class CredentialFileError extends MetricopsError {}

/** What each line holds: a bearer token, or `user:password` for Basic authentication. */
export type CredentialFormat = 'token' | 'user:password';

/** What a usable credential file gives: at least one credential. */
export type NonEmptyCredentials = [string, ...string[]];

/** A credential file holds a few lines; a larger file is the wrong file (and is not read into memory). */
export const MAX_CREDENTIAL_FILE_BYTES = 64 * 1024;

/**
 * A file of credentials, one per line (blank lines and # comments ignored), re-read whenever it changes
 * on disk, so a rotated Kubernetes Secret takes effect without a restart. Values are never logged, nor put in
 * an error: problems name the file and the line.
 */
export class CredentialFile {
  private values: readonly string[] = [];
  private version = '';

  constructor(
    readonly path: string,
    private readonly logger: Logger,
    private readonly format: CredentialFormat = 'token',
  ) {}

  /** Reads the file now; throws CredentialFileError (naming the file, not its content) when unusable. */
  async load(): Promise<void> {
    const info = await statCredentialFile(this.path);
    const version = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    if (version === this.version) return;
    const values = await readCredentialValues(this.path, this.format);
    const first = this.version === '';
    this.values = values;
    this.version = version;
    this.logger.info({ file: this.path, credentials: values.length }, first ? 'loaded credential file' : 'credential file changed, reloaded');
  }

  /** The current credentials, re-read first when the file changed; a file that became unreadable keeps the last ones. */
  async current(): Promise<readonly string[]> {
    try {
      await this.load();
    } catch (error) {
      if (this.values.length === 0) throw error;
      this.logger.warn({ file: this.path, err: (error as Error).message }, 'credential file unreadable, keeping the last credentials');
    }
    return this.values;
  }
}

/**
 * The credentials of a file, read once (for one-shot commands; a long-running server keeps a CredentialFile).
 * Throws CredentialFileError naming the file and line, never a value.
 */
export async function readCredentialFile(path: string, format: CredentialFormat = 'token'): Promise<NonEmptyCredentials> {
  await statCredentialFile(path);
  return readCredentialValues(path, format);
}

async function statCredentialFile(path: string): Promise<Stats> {
  const info = await stat(path).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  if (!info.isFile()) throw new CredentialFileError(`credential file ${path} is not a regular file: pass the file that holds the credential`);
  if (info.size > MAX_CREDENTIAL_FILE_BYTES) {
    throw new CredentialFileError(`credential file ${path} is ${info.size} bytes, more than ${MAX_CREDENTIAL_FILE_BYTES}: is it the right file? It holds one credential per line`);
  }
  return info;
}

async function readCredentialValues(path: string, format: CredentialFormat): Promise<NonEmptyCredentials> {
  const bytes = await readFile(path).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  if (bytes.length > MAX_CREDENTIAL_FILE_BYTES) throw new CredentialFileError(`credential file ${path} grew past ${MAX_CREDENTIAL_FILE_BYTES} bytes while being read: is it the right file?`);
  if (!isUtf8(bytes)) throw new CredentialFileError(`credential file ${path} is not UTF-8 text`);
  const values = parseCredentials(bytes.toString('utf8'), path, format);
  const [first, ...rest] = values;
  if (first === undefined) throw new CredentialFileError(`credential file ${path} holds no credential: write one per line`);
  return [first, ...rest];
}

function unreadable(path: string, error: unknown): CredentialFileError {
  return new CredentialFileError(`cannot read credential file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The credentials of a file's text: one per line, trimmed, blank lines and # comments skipped, a byte order mark
 * dropped. A line an HTTP header cannot carry (control characters) or, for Basic, without `user:` is an error
 * naming the file and the line, never the value.
 */
export function parseCredentials(text: string, path = 'credential file', format: CredentialFormat = 'token'): string[] {
  const values: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (CONTROL.test(line)) throw new CredentialFileError(`${path} line ${index + 1} holds a control character, which an Authorization header cannot carry`);
      if (format === 'user:password' && line.indexOf(':') <= 0) {
        throw new CredentialFileError(`${path} line ${index + 1} is not user:password (Basic authentication needs a user name, a colon, then the password)`);
      }
      values.push(line);
    });
  return values;
}
