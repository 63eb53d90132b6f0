import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The author of every commit the harness makes. */
export const HARNESS_AUTHOR = { name: 'metricops e2e', email: 'e2e@metricops.invalid' };

/** Runs git in `cwd` and returns its stdout; a non-zero exit rejects with git's stderr in the message. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args.join(' ')} (in ${cwd}) failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** Sets the harness author as the repository's committer identity. */
export async function configureAuthor(dir: string): Promise<void> {
  await git(dir, ['config', 'user.name', HARNESS_AUTHOR.name]);
  await git(dir, ['config', 'user.email', HARNESS_AUTHOR.email]);
}

/** A new repository at `dir` (branch main) with one commit holding a README. */
export async function initRepository(dir: string, readme: string, message = 'Start the repository'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await configureAuthor(dir);
  await writeFile(join(dir, 'README.md'), readme);
  await git(dir, ['add', 'README.md']);
  await git(dir, ['commit', '--quiet', '-m', message]);
}
