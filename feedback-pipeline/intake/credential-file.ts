import { readFile, stat } from 'node:fs/promises';
import { MetricopsError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

export class CredentialFileError extends MetricopsError {}

/**
 * A file of credentials, one per line (blank lines and # comments ignored), re-read whenever it changes
 * on disk, so a rotated Kubernetes Secret takes effect without a restart. Values are never logged.
 */
export class CredentialFile {
  private values: readonly string[] = [];
  private version = '';

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the file now; throws CredentialFileError (naming the file, not its content) when unusable. */
  async load(): Promise<void> {
    const info = await stat(this.path).catch((error: unknown) => {
      throw new CredentialFileError(`cannot read credential file ${this.path}: ${(error as Error).message}`, { cause: error });
    });
    const version = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    if (version === this.version) return;
    const values = parseCredentials(await readFile(this.path, 'utf8'));
    if (values.length === 0) throw new CredentialFileError(`credential file ${this.path} holds no credential: write one per line`);
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

export function parseCredentials(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
