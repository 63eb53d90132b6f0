import { readFile } from 'node:fs/promises';
import { MetricopsError } from '../../common/errors.js';
import type { RulerCredentials } from './ruler-options.js';

export class RulerCredentialError extends MetricopsError {}

/**
 * The `Authorization` header for the ruler, from the first credential line of the file (blank lines and `#`
 * comments skipped), read again at every sync so a rotated Secret takes effect. Errors name the file, never its content.
 */
export async function rulerAuthorization(credentials: RulerCredentials | undefined): Promise<string | undefined> {
  if (credentials === undefined) return undefined;
  const flag = credentials.kind === 'bearer' ? '--ruler-token-file' : '--ruler-basic-auth-file';
  let text: string;
  try {
    text = await readFile(credentials.file, 'utf8');
  } catch (error) {
    throw new RulerCredentialError(`${flag}: cannot read ${credentials.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const line = text.split(/\r?\n/).map((item) => item.trim()).find((item) => item !== '' && !item.startsWith('#'));
  if (line === undefined) throw new RulerCredentialError(`${flag}: ${credentials.file} holds no credential: write it on the first line`);
  if (credentials.kind === 'bearer') return `Bearer ${line}`;
  if (!line.includes(':')) throw new RulerCredentialError(`${flag}: the first line of ${credentials.file} is not user:password`);
  return `Basic ${Buffer.from(line, 'utf8').toString('base64')}`;
}
