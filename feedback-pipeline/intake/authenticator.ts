import { createHash, timingSafeEqual } from 'node:crypto';
import type { CredentialFile } from '../../common/credential-file.js';

export type AuthResult = 'ok' | 'missing' | 'invalid';

export const AUTH_REALM = 'metricops';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Constant-time membership: compares equal-length SHA-256 digests with timingSafeEqual against every
 * expected value, without stopping early, so timing tells nothing about the secret or which one matched.
 */
export function matchesAny(presented: string, expected: readonly string[]): boolean {
  const presentedDigest = digest(presented);
  let matched = false;
  for (const value of expected) {
    if (timingSafeEqual(presentedDigest, digest(value))) matched = true;
  }
  return matched;
}

/**
 * Checks the Authorization header as Alertmanager's http_config sends it: `authorization` (Bearer, from
 * credentials_file) or `basic_auth`. With neither file configured every request is let in.
 */
export class Authenticator {
  constructor(private readonly files: { bearer?: CredentialFile; basic?: CredentialFile }) {}

  get enabled(): boolean {
    return this.files.bearer !== undefined || this.files.basic !== undefined;
  }

  /** The WWW-Authenticate challenges for a 401. */
  challenges(): string[] {
    const challenges: string[] = [];
    if (this.files.bearer) challenges.push(`Bearer realm="${AUTH_REALM}"`);
    if (this.files.basic) challenges.push(`Basic realm="${AUTH_REALM}", charset="UTF-8"`);
    return challenges;
  }

  async authenticate(header: string | undefined): Promise<AuthResult> {
    if (!this.enabled) return 'ok';
    if (header === undefined || header.trim() === '') return 'missing';
    const match = /^(\S+)\s+(.+)$/.exec(header.trim());
    if (!match) return 'invalid';
    const scheme = match[1]!.toLowerCase();
    const credentials = match[2]!.trim();
    if (scheme === 'bearer' && this.files.bearer) {
      return matchesAny(credentials, await this.files.bearer.current()) ? 'ok' : 'invalid';
    }
    if (scheme === 'basic' && this.files.basic) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      return matchesAny(decoded, await this.files.basic.current()) ? 'ok' : 'invalid';
    }
    return 'invalid';
  }
}
