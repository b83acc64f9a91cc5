// serve(): the seed's Python client, socat, no lost bytes, the IPC channel beside fd 3, least-connections balancing.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSupervisor, serve, WorkerBootError } from 'supervise';
import { ECHO_WORKER, exchange, findProgram, LINE_WORKER, LineClient, NO_CONNECTION_WORKER, UDS_ECHO_CLIENT, sleep, useServeFixture, waitFor } from './helpers.js';

const run = promisify(execFile);

const f = useServeFixture();

describe('serve() with the echo worker', () => {
  it('answers the seed article\'s Python client', async () => {
    const socket = `${f.dir}/echo.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 2, socket });
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
    await waitFor('the hand-off to be reported', () => server.stats().handedOff === 1);
  });

  it('echoes through socat', async () => {
    const socat = findProgram('socat', 'apt-get install socat (.ci/run installs it)');
    const socket = `${f.dir}/echo.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 2, socket });
    const child = execFile(socat, ['-t', '5', '-', `UNIX-CONNECT:${socket}`], { timeout: 10_000 });
    let out = '';
    child.stdout!.on('data', (text: string) => (out += text));
    child.stdin!.end('hello from socat\nsecond line\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe('hello from socat\nsecond line\n');
  });

  it('loses no byte a client writes the moment it connects', async () => {
    const socket = `${f.dir}/echo.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 2, socket });
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const echoes = await Promise.all(payloads.map((data) => exchange(socket, data)));
    for (let i = 0; i < payloads.length; i++) expect(echoes[i].equals(payloads[i])).toBe(true);
  });

  it('keeps bytes sent while the connection waits for a worker (all restarting)', async () => {
    const socket = `${f.dir}/echo.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, socket, restartDelay: 1500 });
    const [{ pid }] = server.stats().workers;
    process.kill(pid!, 'SIGKILL');
    await waitFor('the worker to be gone', () => server.stats().workers.length === 0);
    const data = Buffer.from('sent before any worker could take the connection\n');
    const echoed = exchange(socket, data);
    // the supervisor holds the connection, unread, until the replacement is ready
    await waitFor('the connection to be queued', () => server.stats().queued === 1);
    expect(server.stats().handedOff).toBe(0);
    expect((await echoed).toString()).toBe(data.toString());
    expect(server.supervisor.stats().restarts).toBe(1);
  });

  it('gives serve workers an IPC channel at fd 4 while fd 3 stays the job socketpair', async () => {
    const socket = `${f.dir}/line.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, socket });
    const [{ pid }] = server.stats().workers;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('NODE_CHANNEL_FD=4');
    expect(readlinkSync(`/proc/${pid}/fd/3`)).toMatch(/^socket:/);
    expect(readlinkSync(`/proc/${pid}/fd/4`)).toMatch(/^socket:/);
    // jobs still travel on fd 3, on the same workers
    expect(await server.supervisor.run(1)).toBe(pid);

    // job mode is unchanged: no IPC channel
    const sup = createSupervisor({ worker: LINE_WORKER, workers: 1 });
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
    const socket = `${f.dir}/none.sock`;
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

  it('keeps serving when an event listener throws (events go through a guarded emitter)', async () => {
    const records: { level: number; msg: string; event?: string }[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => records.push(JSON.parse(line)) });
    const server = await f.serve({ worker: ECHO_WORKER, workers: 1, logger });
    let calls = 0;
    server.on('handoff', () => {
      calls++;
      throw new Error('a listener bug');
    });
    for (let i = 0; i < 3; i++) {
      const client = await LineClient.connect(server.path);
      expect(await client.request(`hello ${i}`)).toBe(`hello ${i}`);
      await client.end();
    }
    await waitFor('the hand-offs to be counted', () => server.stats().handedOff === 3);
    expect(calls).toBe(3);
    expect(server.stats()).toMatchObject({ handedOff: 3, dropped: 0 });
    expect(records.filter((r) => r.msg === "a 'handoff' event listener threw").map((r) => r.event)).toEqual(['handoff', 'handoff', 'handoff']);
  });

  it('hands each connection to the worker with the fewest open connections', async () => {
    const socket = `${f.dir}/line.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, socket });
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
    await waitFor('the closes to be reported', () => server.stats().open === 2);
    for (let i = 0; i < 2; i++) {
      const client = await LineClient.connect(socket);
      clients.push(client);
      expect(await client.pid()).toBe(a);
    }
    // the worker's "accepted" (IPC) may trail its first reply (the client's socket) by a moment
    await waitFor('the accepts to be reported', () => server.stats().open === 4);
    expect(server.stats().workers.map((w) => w.open).sort()).toEqual([2, 2]);
    await Promise.all(clients.map((c) => c.end()));
    await sleep(0);
  });
});
