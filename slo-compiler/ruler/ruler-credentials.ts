import { readCredentialFile } from '../../common/credential-file.js';
import { MetricopsError } from '../../common/errors.js';
import type { RulerCredentials } from './ruler-options.js';

export class RulerCredentialError extends MetricopsError {}

/**
 * The `Authorization` header for the ruler, from the first credential line of the file (blank lines and `#`
 * comments skipped; the same file rules as the feedback pipeline's credential files), read again at every sync so a
 * rotated Secret takes effect. Errors name the flag, the file and the line, never the content.
 */
export async function rulerAuthorization(credentials: RulerCredentials | undefined): Promise<string | undefined> {
  if (credentials === undefined) return undefined;
  const flag = credentials.kind === 'bearer' ? '--ruler-token-file' : '--ruler-basic-auth-file';
  const format = credentials.kind === 'bearer' ? 'token' : 'user:password';
  const [first] = await readCredentialFile(credentials.file, format).catch((error: unknown) => {
    throw new RulerCredentialError(`${flag}: ${(error as Error).message}`, { cause: error });
  });
  return credentials.kind === 'bearer' ? `Bearer ${first}` : `Basic ${Buffer.from(first, 'utf8').toString('base64')}`;
}
