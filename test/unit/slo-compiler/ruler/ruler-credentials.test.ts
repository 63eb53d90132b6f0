import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RulerCredentialError, rulerAuthorization } from '../../../../slo-compiler/ruler/ruler-credentials.js';

describe('rulerAuthorization', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metricops-ruler-credentials-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('no credentials flag sends no Authorization header', async () => {
    expect(await rulerAuthorization(undefined)).toBeUndefined();
  });

  test.each([
    ['a token file gives a Bearer header from its first credential line', 'bearer', '# rotated 2026-11-30\n\ntenant-token\nnext-token\n', 'Bearer tenant-token'],
    ['a Basic file gives the base64 of user:password', 'basic', 'cortex:s3cret\n', `Basic ${Buffer.from('cortex:s3cret').toString('base64')}`],
    ['a file saved on Windows (byte order mark, CRLF) gives the bare token', 'bearer', '\uFEFFwindows-token\r\n', 'Bearer windows-token'],
  ] as const)('%s', async (_sentence, kind, content, header) => {
    await writeFile(join(dir, 'credential'), content);
    expect(await rulerAuthorization({ kind, file: join(dir, 'credential') })).toBe(header);
  });

  test.each([
    ['a missing file', 'bearer', undefined, /--ruler-token-file: cannot read credential file .*missing: ENOENT/],
    ['a file of comments only', 'bearer', '# nothing yet\n\n', /--ruler-token-file: credential file .* holds no credential/],
    ['a Basic line without a user', 'basic', 'just-a-s3cret\n', /--ruler-basic-auth-file: .* line 1 is not user:password/],
    ['a control character in a token', 'bearer', 'bad\u0007s3cret\n', /--ruler-token-file: .* line 1 holds a control character/],
    ['a directory', 'bearer', '(directory)', /--ruler-token-file: credential file .* is not a regular file/],
  ] as const)('%s is an error naming the flag and the file, never the value', async (_sentence, kind, content, message) => {
    const file = join(dir, content === undefined ? 'missing' : 'credential');
    if (content === '(directory)') await mkdir(file);
    else if (content !== undefined) await writeFile(file, content);
    const error = (await rulerAuthorization({ kind, file }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(RulerCredentialError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/s3cret/);
  });
});
