import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../../../common/logger.js';
import { Authenticator, matchesAny } from '../../../../feedback-pipeline/intake/authenticator.js';
import { CredentialFile, CredentialFileError } from '../../../../common/credential-file.js';
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

  test.each<[string, string | Buffer, 'token' | 'user:password', RegExp]>([
    ['a directory', '(directory)', 'token', /is not a regular file/],
    ['a file over 64 KiB', 'x'.repeat(70_000), 'token', /is 70000 bytes, more than 65536: is it the right file/],
    ['bytes that are not UTF-8', Buffer.from([0x74, 0x6f, 0x6b, 0xff, 0x0a]), 'token', /is not UTF-8 text/],
    ['a control character in a token', 'good-token\nbad\u0007token\n', 'token', /line 2 holds a control character/],
    ['a Basic line without user:', 'alertmanager:s3cret\njust-a-password\n', 'user:password', /line 2 is not user:password/],
    ['a Basic line with an empty user', ':s3cret\n', 'user:password', /line 1 is not user:password/],
  ])('%s is an error naming the file and line, never the value', async (_description, content, format, message) => {
    const path = join(dir, 'credentials');
    if (content === '(directory)') await (await import('node:fs/promises')).mkdir(path);
    else await writeFile(path, content);
    const error = (await new CredentialFile(path, silentLogger(), format).load().catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/s3cret|bad.token|just-a-password/);
  });

  test('a byte order mark and CRLF line ends (a file saved on Windows) do not become part of the token', async () => {
    await writeFile(join(dir, 'token'), '\uFEFFwindows-token\r\n');
    const auth = new Authenticator({ bearer: new CredentialFile(join(dir, 'token'), silentLogger()) });
    expect(await auth.authenticate('Bearer windows-token')).toBe('ok');
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
