import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { git } from './git.js';

/**
 * Git over smart HTTP on 127.0.0.1: `git http-backend` as a CGI program behind a small Node http server, serving
 * every bare repository under `root` (fetch and push; Flux's source-controller uses go-git, which speaks only the
 * smart protocol). stop() takes the server down (open connections and running backends included) and start()
 * brings it back on the same port, so tests can make the Git server unreachable for a while.
 */
export interface GitServer {
  /** Folder holding the bare repositories (<root>/<name>.git). */
  readonly root: string;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly running: boolean;
  /** Requests answered since the server was created (all starts). */
  readonly requests: number;
  /** http://127.0.0.1:<port>/<name>.git */
  repositoryUrl(name: string): string;
  /** Creates an empty bare repository <root>/<name>.git (default branch main) and returns its URL. */
  createRepository(name: string): Promise<string>;
  /**
   * The next push to `repository` (its POST git-receive-pack) waits until release(); `arrived` resolves when it has
   * come in. For a push that is slow, or that someone else's push overtakes.
   */
  holdNextPush(repository: string): { arrived: Promise<void>; release(): void };
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  root: string;
  /** One line per request (method, path, status, ms) and the backend's stderr. */
  logFile: string;
  /** Default: a free port. */
  port?: number;
}

export class GitServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitServerError';
  }
}

const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The CGI environment of one request (RFC 3875 plus what git http-backend reads). */
export function cgiEnvironment(request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>, root: string): NodeJS.ProcessEnv {
  const url = new URL(request.url ?? '/', 'http://git.invalid');
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    // Any authenticated user may push (git http-backend enables receive-pack when REMOTE_USER is set).
    REMOTE_USER: 'metricops-e2e',
    REMOTE_ADDR: '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: header('content-type') ?? '',
  };
  const optional: [string, string | undefined][] = [
    ['CONTENT_LENGTH', header('content-length')],
    ['HTTP_CONTENT_ENCODING', header('content-encoding')],
    ['GIT_PROTOCOL', header('git-protocol')],
  ];
  for (const [name, value] of optional) if (value !== undefined) environment[name] = value;
  return environment;
}

/** Splits a CGI response head ("Status: 404 Not Found", "Content-Type: ...") into a status and headers. */
export function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new GitServerError(`git http-backend wrote a malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers };
}

function endOfHead(buffer: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  await mkdir(options.root, { recursive: true });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const backends = new Set<ChildProcess>();
  let server: Server | undefined;
  let requests = 0;
  const gates = new Map<string, { arrive(): void; released: Promise<void> }>();

  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    const gate = request.method === 'POST' ? gates.get(new URL(request.url ?? '/', 'http://git.invalid').pathname) : undefined;
    if (gate) {
      gates.delete(new URL(request.url ?? '/', 'http://git.invalid').pathname);
      gate.arrive();
      void gate.released.then(() => serveNow(request, response));
      return;
    }
    serveNow(request, response);
  };

  const serveNow = (request: IncomingMessage, response: ServerResponse): void => {
    const started = Date.now();
    const backend = spawn('git', ['http-backend'], { env: cgiEnvironment(request, options.root), stdio: ['pipe', 'pipe', 'pipe'] });
    backends.add(backend);
    const finish = (status: number): void => {
      requests += 1;
      log.write(`${new Date().toISOString()} ${request.method} ${request.url} ${status} ${Date.now() - started}ms\n`);
    };
    const fail = (status: number, message: string): void => {
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`${message}\n`);
      finish(status);
    };
    backend.stderr.on('data', (chunk: Buffer) => log.write(`  git http-backend: ${chunk.toString()}`));
    backend.on('error', (error) => fail(500, `could not run git http-backend: ${error.message}`));
    backend.stdin.on('error', () => undefined); // The backend may answer (an error) before it read the whole body.
    request.pipe(backend.stdin);

    let head = Buffer.alloc(0);
    let status = 0;
    backend.stdout.on('data', (chunk: Buffer) => {
      if (status) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = endOfHead(head);
      if (!end) return;
      try {
        const parsed = parseCgiHead(head.subarray(0, end.headEnd).toString('latin1'));
        status = parsed.status;
        response.writeHead(parsed.status, parsed.headers.flat());
        response.write(head.subarray(end.bodyStart));
      } catch (error) {
        status = 502;
        backend.kill('SIGKILL');
        fail(502, (error as Error).message);
      }
    });
    backend.on('close', (code, signal) => {
      backends.delete(backend);
      if (response.writableEnded) return;
      if (!status) {
        fail(502, `git http-backend ended (${code ?? signal}) without a response`);
        return;
      }
      response.end();
      finish(status);
    });
    response.on('close', () => {
      if (backend.exitCode === null) backend.kill('SIGKILL');
    });
  };

  const start = async (): Promise<void> => {
    if (server) throw new GitServerError(`the Git server on ${url} is already running`);
    const starting = createServer(serve);
    await new Promise<void>((resolve, reject) => {
      starting.once('error', (error) => reject(new GitServerError(`the Git server could not listen on 127.0.0.1:${port}: ${error.message}`)));
      starting.listen(port, '127.0.0.1', () => resolve());
    });
    server = starting;
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (!running) return;
    server = undefined;
    for (const backend of backends) backend.kill('SIGKILL');
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    running.closeAllConnections();
    await closed;
  };

  await start();
  return {
    root: options.root,
    port,
    url,
    get running() {
      return server !== undefined;
    },
    get requests() {
      return requests;
    },
    repositoryUrl: (name) => `${url}/${name}.git`,
    async createRepository(name) {
      if (!REPOSITORY_NAME.test(name)) {
        throw new GitServerError(`repository name ${JSON.stringify(name)} is not allowed: use letters, digits, ".", "_" and "-"`);
      }
      await git(options.root, ['init', '--quiet', '--bare', '--initial-branch=main', join(options.root, `${name}.git`)]);
      return `${url}/${name}.git`;
    },
    holdNextPush(repository) {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      gates.set(`/${repository}.git/git-receive-pack`, { arrive, released });
      return { arrived, release };
    },
    start,
    async stop() {
      await stop();
    },
  };
}
