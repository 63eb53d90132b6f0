import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { configureAuthor, git } from './git.js';
import type { GitServer } from './git-server.js';

/**
 * A repository on the harness Git server and a working clone of it: what a person deploying by Git commit has.
 * commit() writes files, commits and pushes to main over HTTP, and returns the commit's SHA.
 */
export class GitOpsRepository {
  private constructor(
    /** http://127.0.0.1:<port>/<name>.git */
    readonly url: string,
    /** The working clone. */
    readonly dir: string,
  ) {}

  /** Creates <name>.git on the server and clones it into <workDir>/<name>. */
  static async create(server: GitServer, name: string, workDir: string): Promise<GitOpsRepository> {
    const url = await server.createRepository(name);
    const dir = join(workDir, name);
    await mkdir(workDir, { recursive: true });
    await git(workDir, ['clone', '--quiet', url, dir]);
    await configureAuthor(dir);
    // The clone of an empty repository has no branch yet: start main, whatever the local default is.
    await git(dir, ['checkout', '--quiet', '-B', 'main']);
    return new GitOpsRepository(url, dir);
  }

  /** Publishes an existing local repository (branch main) as <name>.git on the server: its origin, main pushed. */
  static async publish(server: GitServer, name: string, dir: string): Promise<GitOpsRepository> {
    const url = await server.createRepository(name);
    await git(dir, ['remote', 'add', 'origin', url]);
    await git(dir, ['push', '--quiet', 'origin', 'main']);
    return new GitOpsRepository(url, dir);
  }

  /**
   * Writes `files` (path -> content; null deletes), commits them with `message` and pushes main, as a person does:
   * pulls (rebase) first, so commits others pushed meanwhile (metricops' write-back) stay.
   */
  async commit(message: string, files: Record<string, string | null>): Promise<string> {
    // An unreachable server: no pull; the push below fails and says so.
    const remoteMain = await git(this.dir, ['ls-remote', 'origin', 'refs/heads/main']).catch(() => '');
    if (remoteMain.trim() !== '') await git(this.dir, ['pull', '--quiet', '--rebase', 'origin', 'main']);
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.dir, path);
      if (content === null) {
        await rm(file, { force: true });
      } else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    }
    await git(this.dir, ['add', '--all', '--', ...Object.keys(files)]);
    await git(this.dir, ['commit', '--quiet', '-m', message]);
    await git(this.dir, ['push', '--quiet', 'origin', 'HEAD:main']);
    return this.localHead();
  }

  /** The SHA of main on the server (`git ls-remote`). */
  async remoteHead(): Promise<string> {
    const line = (await git(this.dir, ['ls-remote', 'origin', 'refs/heads/main'])).trim();
    return line.split(/\s+/)[0] ?? '';
  }

  async localHead(): Promise<string> {
    return (await git(this.dir, ['rev-parse', 'HEAD'])).trim();
  }
}
