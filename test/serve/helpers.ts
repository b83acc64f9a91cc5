// Shared helpers for the serve tests: the per-test fixture (temp dir, server, CLI, teardown), a line client, the CLI as a real process, tool lookup.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { serve, type ServeOptions, type SocketServer } from 'supervise';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'dist/cli/main.js');
export const ECHO_WORKER = path.join(ROOT, 'workers/echo.ts');
export const LINE_WORKER = path.join(ROOT, 'test/fixtures/serve-worker.ts');
export const NO_CONNECTION_WORKER = path.join(ROOT, 'test/fixtures/no-connection-worker.ts');
export const UDS_ECHO_CLIENT = path.join(ROOT, 'test/fixtures/uds_echo_client.py');

/** A fresh directory under the OS temp dir (short paths: sun_path is 107 bytes). */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; fails after `timeout` ms with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeout = 30_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A client of the line protocol (test/fixtures/serve-worker.ts) or of the echo worker. */
export class LineClient {
  readonly socket: net.Socket;
  private buffer = '';
  private lines: string[] = [];
  private waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(line);
        else this.lines.push(line);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('connection closed before a reply'));
        resolve();
      });
    });
  }

  static connect(target: string | { port: number; host: string }): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = typeof target === 'string' ? net.connect(target) : net.connect(target.port, target.host);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new LineClient(socket));
      });
      socket.once('error', reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  next(timeout = 10_000): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.reject(new Error('connection closed before a reply'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeout} ms`)), timeout);
      this.waiters.push({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  async request(line: string, timeout?: number): Promise<string> {
    this.send(line);
    return this.next(timeout);
  }

  /** Sends a line to the line worker and returns the pid that answered. */
  async pid(): Promise<number> {
    const reply = await this.request('pid?');
    const [pid, text] = reply.split(' ');
    if (text !== 'pid?') throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    return Number(pid);
  }

  end(): Promise<void> {
    this.socket.end();
    return this.closed;
  }
}

/** Sends bytes and collects everything until the server closes (or `expected` bytes arrived). */
export function exchange(target: string, data: Buffer, expected = data.length): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = net.connect(target);
    // written before 'connect': the bytes leave as soon as the connection exists, before any hand-off
    socket.write(data);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= expected) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

export interface CliProcess {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node dist/cli/main.js <args>` as a real process. */
export function runCli(args: string[], options: { cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves when something accepts connections on the socket path. */
export async function waitForSocket(socketPath: string, timeout = 15_000): Promise<void> {
  await waitFor(`a server on ${socketPath}`, async () => {
    if (!existsSync(socketPath)) return false;
    return new Promise<boolean>((resolve) => {
      const socket = net.connect(socketPath);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }, timeout);
}

/** Finds a program on PATH or in the sbin folders; throws with an install hint when missing (CI installs these). */
export function findProgram(name: string, hint: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error(`${name} is not installed; ${hint}`);
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What each serve test gets: a fresh temp dir, and a server, CLI process and clean-ups that are torn down after it. */
export interface ServeFixture {
  /** The test's own temp dir (short: sun_path is 107 bytes). */
  readonly dir: string;
  /** The server under test; closed (grace 0) after the test. */
  server: SocketServer | undefined;
  /** A `supervise serve` process; SIGKILLed after the test if still running. */
  cli: CliProcess | undefined;
  /** Starts a server (silent logs unless a logger or level is given) and keeps it for the teardown. */
  serve(options: Omit<ServeOptions, 'socket'> & { socket?: string }): Promise<SocketServer>;
  /** Runs `supervise <args>` and keeps it for the teardown. */
  runCli(args: string[]): CliProcess;
  /** Runs after the test, before the server is closed (last added, first run). */
  defer(cleanup: () => unknown): void;
}

/** Registers the shared before/after hooks of a serve test file; call once at the top of the file. */
export function useServeFixture(): ServeFixture {
  let tmp: ReturnType<typeof tempDir> | undefined;
  const cleanups: (() => unknown)[] = [];
  const fixture: ServeFixture = {
    get dir() {
      if (!tmp) throw new Error('the serve fixture is only there inside a test');
      return tmp.dir;
    },
    server: undefined,
    cli: undefined,
    async serve(options) {
      const server = await serve({ logLevel: 'silent', ...options, socket: options.socket ?? `${fixture.dir}/s.sock` } as ServeOptions);
      fixture.server = server;
      return server;
    },
    runCli(args) {
      fixture.cli = runCli(args);
      return fixture.cli;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await fixture.server?.close({ grace: 0 });
    fixture.server = undefined;
    const { cli } = fixture;
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    fixture.cli = undefined;
    tmp?.cleanup();
    tmp = undefined;
  });
  return fixture;
}
