import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../../../common/logger.js';
import { Authenticator, matchesAny } from '../../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile, CredentialFileError } from '../../../../feedback-pipeline/intake/credential-file.js';
import { PassThrough } from 'node:stream';

describe('credentials', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-auth-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ['the same token', 'abc', ['abc'], true],
    ['a shorter token (no length error, no match)', 'ab', ['abc'], false],
    ['a longer token', 'abcd', ['abc'], false],
    ['an empty token', '', ['abc'], false],
    ['the second of two tokens during a rotation', 'new', ['old', 'new'], true],
    ['nothing expected', 'abc', [], false],
  ])('matchesAny with %s', (_description, presented, expected, result) => {
    expect(matchesAny(presented, expected)).toBe(result);
  });

  test('a token file with comments, blank lines and two tokens accepts both', async () => {
    await writeFile(join(dir, 'token'), '# rotated 2026-11-21\n\nold-token\nnew-token\n');
    const auth = new Authenticator({ bearer: new CredentialFile(join(dir, 'token'), silentLogger()) });
    expect(await auth.authenticate('Bearer old-token')).toBe('ok');
    expect(await auth.authenticate('Bearer new-token')).toBe('ok');
    expect(await auth.authenticate('Bearer # rotated 2026-11-21')).toBe('invalid');
    expect(await auth.authenticate(undefined)).toBe('missing');
    expect(await auth.authenticate('Bearer')).toBe('invalid');
  });

  test('without any credential file every request is let in', async () => {
    const auth = new Authenticator({});
    expect(auth.enabled).toBe(false);
    expect(await auth.authenticate(undefined)).toBe('ok');
  });

  test('a missing or empty file is an error naming the file, not its content', async () => {
    await expect(new CredentialFile(join(dir, 'missing'), silentLogger()).load()).rejects.toThrow(CredentialFileError);
    await writeFile(join(dir, 'empty'), '\n# nothing\n');
    await expect(new CredentialFile(join(dir, 'empty'), silentLogger()).load()).rejects.toThrow(/holds no credential/);
  });

  test('a file that disappears after loading keeps the last credentials, and tokens never reach the log', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ destination: stream, level: 'debug' });
    await writeFile(join(dir, 'token'), 'very-secret-token\n');
    const file = new CredentialFile(join(dir, 'token'), logger);
    await file.load();
    await unlink(join(dir, 'token'));
    expect(await file.current()).toEqual(['very-secret-token']);
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.join('')).toContain('keeping the last credentials');
    expect(lines.join('')).not.toContain('very-secret-token');
  });
});
