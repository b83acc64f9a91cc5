// Never drop an accepted connection while a worker can take it: stalled workers, bursts of 5,000 clients with and
// without other processes saturating the CPUs, through the API and through the CLI, and the queueTimeout bound.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SocketServer } from 'supervise';
import { ECHO_WORKER, findProgram, LINE_WORKER, LineClient, ROOT, useServeFixture, waitFor, waitForSocket } from './helpers.js';

const run = promisify(execFile);
const BURST_CLIENT = path.join(ROOT, 'test/fixtures/serve-burst.cjs');
const BURST = 5000;

const f = useServeFixture();

interface BurstReport {
  clients: number;
  ok: number;
  dropped: number;
  errors: Record<string, number>;
  eagainRetries: number;
  unfinished: number;
  ms: number;
}

/** `clients` concurrent clients, each one round trip, in their own process; EAGAIN at connect is retried, nothing else. */
async function burst(socket: string, clients: number): Promise<BurstReport> {
  const { stdout } = await run(process.execPath, [BURST_CLIENT, socket, String(clients), '90000'], { timeout: 120_000 });
  return JSON.parse(stdout) as BurstReport;
}

/** One busy loop per CPU, each ending on its own after `ms` (and killed after the test). */
function saturateCpus(ms: number): void {
  for (let i = 0; i < availableParallelism(); i++) {
    const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end);`], { stdio: 'ignore' });
    f.defer(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }
}

/** Waits until every worker's event loop is blocked by a job: no heartbeat for 5 intervals (heartbeatInterval 50 ms). */
async function allStalled(server: SocketServer, workers: number): Promise<void> {
  await waitFor('every worker stalled by its job', () => server.supervisor.workerStats().filter((w) => w.inFlight === 1 && w.silentFor > 250).length === workers);
}

describe('serve(): an accepted connection is not dropped while a worker can take it', () => {
  it('serves a client that arrives while every worker is frozen, once one is free', async () => {
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, heartbeatInterval: 50 });
    // each job blocks one worker's event loop for 4 s (the repro: both workers frozen, a third client)
    const jobs = [server.supervisor.run(4000), server.supervisor.run(4000)];
    await allStalled(server, 2);
    const started = Date.now();
    const client = await LineClient.connect(server.path);
    const reply = await client.request('anyone?', 20_000);
    expect(reply).toMatch(/^\d+ anyone\?$/);
    // generous upper bound: the workers wake within 4 s
    expect(Date.now() - started).toBeLessThan(15_000);
    await Promise.all(jobs);
    await client.end();
    const stats = server.stats();
    expect(stats.dropped).toBe(0);
    expect(stats.handoffTimeouts).toBeGreaterThanOrEqual(1);
    expect(stats.requeued).toBeGreaterThanOrEqual(1);
    expect(server.supervisor.stats().restarts).toBe(0);
  });

  it('closes a connection no worker took within queueTimeout of its arrival, and not much later', async () => {
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, heartbeatInterval: 50, handoffTimeout: 200, queueTimeout: 1000 });
    const job = server.supervisor.run(4000);
    await allStalled(server, 1);
    const started = Date.now();
    const client = await LineClient.connect(server.path);
    client.send('anyone?');
    await client.closed;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3500);
    expect(server.stats()).toMatchObject({ dropped: 1, handedOff: 0 });
    await job;
    // awake again, it refuses its late copy and takes new connections
    const next = await LineClient.connect(server.path);
    expect(await next.request('hello')).toMatch(/^\d+ hello$/);
    await next.end();
    expect(server.stats()).toMatchObject({ dropped: 1, handedOff: 1 });
  });

  it('listens with the kernel\'s somaxconn as the backlog by default, or the backlog given (API and --backlog)', async () => {
    const ss = findProgram('ss', 'apt-get install iproute2');
    /** The listen backlog of the socket bound in `dir`: ss shows it as Send-Q of the listening socket. */
    const backlogIn = async (dir: string) => {
      const { stdout } = await run(ss, ['-xlH']);
      const line = stdout.split('\n').find((l) => l.includes(`${dir}/`));
      if (!line) throw new Error(`no listening socket in ${dir}: ${stdout}`);
      return Number(line.trim().split(/\s+/)[3]);
    };
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    let server = await f.serve({ worker: ECHO_WORKER, workers: 1 });
    expect(await backlogIn(f.dir)).toBe(somaxconn);
    await server.close();
    server = await f.serve({ worker: ECHO_WORKER, workers: 1, backlog: 16 });
    expect(await backlogIn(f.dir)).toBe(16);
    await server.close();
    await expect(f.serve({ worker: ECHO_WORKER, workers: 1, backlog: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });

    const socket = `${f.dir}/cli.sock`;
    const cli = f.runCli(['serve', ECHO_WORKER, '--socket', socket, '--workers', '1', '--backlog', '77']);
    await waitForSocket(socket);
    expect(await backlogIn(f.dir)).toBe(77);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });
});

describe(`${BURST} concurrent clients, one round trip each: 0 dropped`, () => {
  for (const load of [false, true]) {
    const label = load ? ', while other processes saturate every CPU' : '';
    it(`through the API${label}`, { timeout: 180_000 }, async () => {
      if (load) saturateCpus(90_000);
      const server = await f.serve({ worker: ECHO_WORKER, workers: 2 });
      const report = await burst(server.path, BURST);
      console.log(`serve burst (API${label}): ${JSON.stringify({ ...report, serverStats: { ...server.stats(), workers: undefined } })}`);
      expect(report).toMatchObject({ ok: BURST, dropped: 0, unfinished: 0 });
      expect(server.stats()).toMatchObject({ accepted: BURST, handedOff: BURST, dropped: 0 });
    });

    it(`through the CLI${label}`, { timeout: 180_000 }, async () => {
      if (load) saturateCpus(90_000);
      const socket = `${f.dir}/cli.sock`;
      const cli = f.runCli(['serve', ECHO_WORKER, '--socket', socket, '--workers', '2', '--log-level', 'warn']);
      await waitForSocket(socket, 60_000);
      const report = await burst(socket, BURST);
      console.log(`serve burst (CLI${label}): ${JSON.stringify(report)}`);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(report).toMatchObject({ ok: BURST, dropped: 0, unfinished: 0 });
      expect(cli.stderr()).not.toContain('closing a connection no worker took');
    });
  }
});
