// The socket file: stale replaced, live server and non-sockets refused, permissions, sun_path, removal, CLI errors.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SocketPathError } from 'supervise';
import { ECHO_WORKER, LineClient, LINE_WORKER, ROOT, runCli, UDS_ECHO_CLIENT, useServeFixture } from './helpers.js';

const run = promisify(execFile);

const f = useServeFixture();

/** Leaves a socket file nobody listens on: a server process SIGKILLed while listening. */
function makeStaleSocket(file: string): void {
  const result = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  expect(result.signal).toBe('SIGKILL');
  expect(lstatSync(file).isSocket()).toBe(true);
}

async function serveError(socket: string, extra: { mode?: number } = {}): Promise<unknown> {
  return f.serve({ worker: ECHO_WORKER, workers: 1, socket, ...extra }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the socket file', () => {
  it('replaces a stale socket file', async () => {
    const socket = `${f.dir}/stale.sock`;
    makeStaleSocket(socket);
    await expect(LineClient.connect(socket)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    // (not compared by inode: the filesystem may hand the freed inode number to the new socket)
    const { stdout } = await run('python3', [UDS_ECHO_CLIENT, socket], { timeout: 10_000 });
    expect(stdout).toContain("Echo: b'My name is Tom!'");
  });

  it('refuses a path a live server listens on, and leaves that server alone', async () => {
    const socket = `${f.dir}/live.sock`;
    const other = net.createServer((c) => c.on('error', () => {}).end('other server\n'));
    await new Promise<void>((resolve) => other.listen(socket, resolve));
    try {
      const error = await serveError(socket);
      expect(error).toBeInstanceOf(SocketPathError);
      expect((error as Error).message).toMatch(/Another server is listening on .*live\.sock/);
      const client = await LineClient.connect(socket);
      expect(await client.next()).toBe('other server');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('never removes a path that is not a socket', async () => {
    const file = `${f.dir}/file.sock`;
    writeFileSync(file, 'precious');
    const dir = `${f.dir}/dir.sock`;
    mkdirSync(dir);
    const fifo = `${f.dir}/fifo.sock`;
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // a symlink to a stale socket is still a symlink: not ours to remove
    const stale = `${f.dir}/target.sock`;
    makeStaleSocket(stale);
    const link = `${f.dir}/link.sock`;
    symlinkSync(stale, link);

    for (const [socket, kind] of [
      [file, 'a regular file'],
      [dir, 'a directory'],
      [fifo, 'a FIFO'],
      [link, 'a symbolic link'],
    ] as const) {
      const error = await serveError(socket);
      expect(error, socket).toBeInstanceOf(SocketPathError);
      expect((error as Error).message).toBe(`${socket} exists and is not a socket (${kind}); refusing to remove it`);
    }
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(stale).isSocket()).toBe(true);
  });

  it('creates the socket with mode 0600 by default and the --mode given', async () => {
    const socket = `${f.dir}/perm.sock`;
    let server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    expect(lstatSync(socket).mode & 0o777).toBe(0o600);
    expect(server.address()).toEqual({ path: socket, mode: 0o600 });
    await server.close();
    server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket, mode: 0o660 });
    expect(lstatSync(socket).mode & 0o777).toBe(0o660);
    expect(await serveError(`${f.dir}/narrow.sock`, { mode: 0o400 })).toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it('lets only the owner connect with 0600, and the group with 0660', async () => {
    // permissions are only enforced for other users: the client runs as nobody, with or without the socket's group
    expect(process.getuid!()).toBe(0);
    chmodSync(f.dir, 0o755);
    const socket = `${f.dir}/who.sock`;
    const gid = process.getgid!();
    const client = `const s = require('net').connect(${JSON.stringify(socket)}, () => s.write('hello'));
      s.on('data', (d) => { console.log('echo: ' + d); process.exit(0); });
      s.on('error', (e) => { console.log(e.code); process.exit(1); });`;
    // asynchronously: the server runs in this process's event loop
    const connectAs = (groups: string) =>
      run('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${groups}`, process.execPath, '-e', client], { timeout: 10_000 }).catch(
        (error: { stdout: string; stderr: string }) => error,
      );

    let server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    let result = await connectAs(String(gid));
    expect(result.stdout.trim(), result.stderr).toBe('EACCES');
    await server.close();

    server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket, mode: 0o660 });
    result = await connectAs(String(gid));
    expect(result.stdout.trim(), result.stderr).toBe('echo: hello');
    result = await connectAs('65534');
    expect(result.stdout.trim(), result.stderr).toBe('EACCES');
  });

  it('takes a path of 107 bytes and refuses 108 (sun_path)', async () => {
    const base = `${f.dir}/`;
    const fits = base + 'a'.repeat(107 - base.length);
    expect(Buffer.byteLength(fits)).toBe(107);
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket: fits });
    const client = await LineClient.connect(fits);
    expect(await client.request('x')).toBe('x');
    await client.end();
    await server.close();

    const tooLong = base + 'a'.repeat(108 - base.length);
    const error = await serveError(tooLong);
    expect(error).toBeInstanceOf(SocketPathError);
    expect((error as Error).message).toBe(
      `The socket path ${tooLong} is 108 bytes, too long for a Unix socket address (at most 107); use a shorter path, e.g. under /run or /tmp`,
    );
  });

  it('refuses a socket in a missing directory', async () => {
    const socket = `${f.dir}/missing/dir/s.sock`;
    const error = await serveError(socket);
    expect(error).toBeInstanceOf(SocketPathError);
    expect((error as Error).message).toBe(`Cannot create the socket ${socket}: the directory ${f.dir}/missing/dir does not exist`);
  });

  it('removes the socket file on close, and closes the listener', async () => {
    const socket = `${f.dir}/gone.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, socket });
    expect(existsSync(socket)).toBe(true);
    await server.close();
    expect(existsSync(socket)).toBe(false);
    await expect(LineClient.connect(socket)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the socket file: only ever remove what we created', () => {
  it('leaves alone another server that took the path after ours was removed by hand', async () => {
    const socket = `${f.dir}/shared.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    unlinkSync(socket);
    const other = net.createServer((c) => c.on('error', () => {}).end('server B\n'));
    await new Promise<void>((resolve) => other.listen(socket, resolve));
    try {
      const bIno = lstatSync(socket).ino;
      await server.close();
      // B's socket is still there, and B still answers on it
      expect(lstatSync(socket).isSocket()).toBe(true);
      expect(lstatSync(socket).ino).toBe(bIno);
      const client = await LineClient.connect(socket);
      expect(await client.next()).toBe('server B');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('leaves alone a regular file put in place of its socket', async () => {
    const socket = `${f.dir}/replaced.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    unlinkSync(socket);
    writeFileSync(socket, 'precious');
    await server.close();
    expect(readFileSync(socket, 'utf8')).toBe('precious');
  });

  it('removes its socket file when the process exits without close() (process.exit)', async () => {
    const socket = `${f.dir}/exit.sock`;
    const script = `import { serve } from 'supervise';
      await serve({ worker: ${JSON.stringify(ECHO_WORKER)}, workers: 1, socket: ${JSON.stringify(socket)} });
      process.stdout.write('listening\\n');
      process.exit(0);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toBe('listening\n');
    expect(existsSync(socket)).toBe(false);
  });

  it('leaves no temporary name behind: only the socket while serving, nothing after close', async () => {
    const socket = `${f.dir}/only.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket });
    expect(readdirSync(f.dir)).toEqual(['only.sock']);
    await server.close();
    expect(readdirSync(f.dir)).toEqual([]);
  });

  it('refuses a directory every user may write to without the sticky bit; takes it with the sticky bit', async () => {
    const open = `${f.dir}/open`;
    mkdirSync(open);
    chmodSync(open, 0o777);
    const error = await serveError(`${open}/s.sock`);
    expect(error).toBeInstanceOf(SocketPathError);
    expect((error as Error).message).toMatch(/its directory .*\/open \(mode 0777\) is writable by every user and has no sticky bit/);
    expect(readdirSync(open)).toEqual([]);

    const cli = runCli(['serve', ECHO_WORKER, '--socket', `${open}/s.sock`]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/^supervise serve: Refusing to create the socket .* writable by every user/);

    chmodSync(open, 0o1777);
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket: `${open}/s.sock` });
    expect(lstatSync(`${open}/s.sock`).isSocket()).toBe(true);
  });

  it('warns when the directory is writable by its group without the sticky bit', async () => {
    const shared = `${f.dir}/group`;
    mkdirSync(shared);
    chmodSync(shared, 0o770);
    const records: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => records.push(JSON.parse(line)) });
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket: `${shared}/s.sock`, logger });
    expect(records.map((r) => r.msg)).toContainEqual(expect.stringMatching(/writable by its group and has no sticky bit/));
  });
});

describe('supervise serve: socket errors on the command line', () => {
  it('exits 2 with one line and no stack for each bad path', async () => {
    const live = `${f.dir}/live.sock`;
    const other = net.createServer((c) => c.on('error', () => {}).end());
    await new Promise<void>((resolve) => other.listen(live, resolve));
    const notSocket = `${f.dir}/file`;
    writeFileSync(notSocket, 'x');
    const long = `${f.dir}/${'b'.repeat(120)}`;
    const cases: [string[], RegExp][] = [
      [[ECHO_WORKER, '--socket', live], /^supervise serve: Another server is listening on /],
      [[ECHO_WORKER, '--socket', notSocket], /^supervise serve: .*file exists and is not a socket \(a regular file\); refusing to remove it$/],
      [[ECHO_WORKER, '--socket', long], /^supervise serve: The socket path .* is \d+ bytes, too long for a Unix socket address \(at most 107\)/],
      [[ECHO_WORKER, '--socket', `${f.dir}/nope/s.sock`], /^supervise serve: Cannot create the socket .*: the directory .*\/nope does not exist$/],
      [[ECHO_WORKER], /^supervise serve: --socket <path> is required/],
      [[ECHO_WORKER, '--socket', `${f.dir}/m.sock`, '--mode', '0400'], /^supervise serve: --mode expects octal permissions/],
      [[ECHO_WORKER, '--socket', `${f.dir}/m.sock`, '--mode', 'rw'], /^supervise serve: --mode expects octal permissions/],
      [[`${f.dir}/missing.ts`, '--socket', `${f.dir}/m.sock`], /^supervise serve: no such file: /],
      [[ECHO_WORKER, '--socket', `${f.dir}/m.sock`, '--workers', '0'], /^supervise serve: --workers expects an integer from 1 and up, got '0'$/],
    ];
    try {
      for (const [args, message] of cases) {
        const cli = runCli(['serve', ...args]);
        const { code } = await cli.exited;
        const lines = cli.stderr().split('\n').filter(Boolean);
        expect(code, cli.stderr()).toBe(2);
        expect(lines, cli.stderr()).toHaveLength(1);
        expect(lines[0]).toMatch(message);
        expect(cli.stderr()).not.toMatch(/\n\s+at /);
      }
      // nothing was created or removed
      expect(readFileSync(notSocket, 'utf8')).toBe('x');
      expect(existsSync(`${f.dir}/m.sock`)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
