// serve(): the seed's Python client, socat, no lost bytes, the IPC channel beside fd 3, least-connections balancing.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSupervisor, serve, WorkerBootError, type SocketServer } from 'supervise';
import { ECHO_WORKER, exchange, findProgram, LINE_WORKER, LineClient, NO_CONNECTION_WORKER, UDS_ECHO_CLIENT, sleep, tempDir, waitFor } from './helpers.js';

const run = promisify(execFile);

let tmp: ReturnType<typeof tempDir>;
let server: SocketServer | undefined;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  await server?.close({ grace: 0 });
  server = undefined;
  tmp.cleanup();
});

describe('serve() with the echo worker', () => {
  it('answers the seed article\'s Python client', async () => {
    const socket = `${tmp.dir}/echo.sock`;
    server = await serve({ worker: ECHO_WORKER, workers: 2, socket, logLevel: 'silent' });
    const { stdout } = await run('python3', [UDS_ECHO_CLIENT, socket], { timeout: 10_000 });
    expect(stdout.split('\n')).toEqual([
      `Connect to socket: ${socket}`,
      'Start communication!',
      "Send: b'Hello, world!'",
      "Echo: b'Hello, world!'",
      "Send: b'My name is Tom!'",
      "Echo: b'My name is Tom!'",
      'Close connection!',
      '',
    ]);
    await waitFor('the hand-off to be reported', () => server!.stats().handedOff === 1);
  });

  it('echoes through socat', async () => {
    const socat = findProgram('socat', 'apt-get install socat (.ci/run installs it)');
    const socket = `${tmp.dir}/echo.sock`;
    server = await serve({ worker: ECHO_WORKER, workers: 2, socket, logLevel: 'silent' });
    const child = execFile(socat, ['-t', '5', '-', `UNIX-CONNECT:${socket}`], { timeout: 10_000 });
    let out = '';
    child.stdout!.on('data', (text: string) => (out += text));
    child.stdin!.end('hello from socat\nsecond line\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe('hello from socat\nsecond line\n');
  });

  it('loses no byte a client writes the moment it connects', async () => {
    const socket = `${tmp.dir}/echo.sock`;
    server = await serve({ worker: ECHO_WORKER, workers: 2, socket, logLevel: 'silent' });
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const echoes = await Promise.all(payloads.map((data) => exchange(socket, data)));
    for (let i = 0; i < payloads.length; i++) expect(echoes[i].equals(payloads[i])).toBe(true);
  });

  it('keeps bytes sent while the connection waits for a worker (all restarting)', async () => {
    const socket = `${tmp.dir}/echo.sock`;
    server = await serve({ worker: ECHO_WORKER, workers: 1, socket, restartDelay: 1500, logLevel: 'silent' });
    const [{ pid }] = server.stats().workers;
    process.kill(pid!, 'SIGKILL');
    await waitFor('the worker to be gone', () => server!.stats().workers.length === 0);
    const data = Buffer.from('sent before any worker could take the connection\n');
    const echoed = exchange(socket, data);
    // the supervisor holds the connection, unread, until the replacement is ready
    await waitFor('the connection to be queued', () => server!.stats().queued === 1);
    expect(server.stats().handedOff).toBe(0);
    expect((await echoed).toString()).toBe(data.toString());
    expect(server.supervisor.stats().restarts).toBe(1);
  });

  it('gives serve workers an IPC channel at fd 4 while fd 3 stays the job socketpair', async () => {
    const socket = `${tmp.dir}/line.sock`;
    server = await serve({ worker: LINE_WORKER, workers: 1, socket, logLevel: 'silent' });
    const [{ pid }] = server.stats().workers;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('NODE_CHANNEL_FD=4');
    expect(readlinkSync(`/proc/${pid}/fd/3`)).toMatch(/^socket:/);
    expect(readlinkSync(`/proc/${pid}/fd/4`)).toMatch(/^socket:/);
    // jobs still travel on fd 3, on the same workers
    expect(await server.supervisor.run(1)).toBe(pid);

    // job mode is unchanged: no IPC channel
    const sup = createSupervisor({ worker: LINE_WORKER, workers: 1, logLevel: 'silent' });
    try {
      const jobPid = (await sup.run(1)) as number;
      const jobEnviron = readFileSync(`/proc/${jobPid}/environ`, 'utf8');
      expect(jobEnviron).not.toContain('NODE_CHANNEL_FD');
      expect(readlinkSync(`/proc/${jobPid}/fd/3`)).toMatch(/^socket:/);
    } finally {
      await sup.close();
    }
  });

  it('refuses a worker module without a connection export, at boot', async () => {
    const socket = `${tmp.dir}/none.sock`;
    const error = await serve({ worker: NO_CONNECTION_WORKER, workers: 1, socket, logLevel: 'silent' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // the boot error itself, or (where boot failures end the pool as a crash loop) its cause
    const bootError = error instanceof WorkerBootError ? error : (error as Error).cause;
    expect(bootError).toBeInstanceOf(WorkerBootError);
    expect((error as Error).message).toContain('`connection(socket, ctx)`');
    expect(() => readlinkSync(socket)).toThrow();
  });

  it('hands each connection to the worker with the fewest open connections', async () => {
    const socket = `${tmp.dir}/line.sock`;
    server = await serve({ worker: LINE_WORKER, workers: 2, socket, logLevel: 'silent' });
    const clients: LineClient[] = [];
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const client = await LineClient.connect(socket);
      clients.push(client);
      pids.push(await client.pid());
    }
    const [a, b] = [...new Set(pids)];
    expect(pids.filter((p) => p === a)).toHaveLength(2);
    expect(pids.filter((p) => p === b)).toHaveLength(2);
    // close both of a's connections: a now has 0 open, b 2, so the next two go to a
    await Promise.all(clients.filter((_, i) => pids[i] === a).map((c) => c.end()));
    await waitFor('the closes to be reported', () => server!.stats().open === 2);
    for (let i = 0; i < 2; i++) {
      const client = await LineClient.connect(socket);
      clients.push(client);
      expect(await client.pid()).toBe(a);
    }
    // the worker's "accepted" (IPC) may trail its first reply (the client's socket) by a moment
    await waitFor('the accepts to be reported', () => server!.stats().open === 4);
    expect(server.stats().workers.map((w) => w.open).sort()).toEqual([2, 2]);
    await Promise.all(clients.map((c) => c.end()));
    await sleep(0);
  });
});
