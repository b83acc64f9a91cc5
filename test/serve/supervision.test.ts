// Serve mode under supervision: crashes, stalled hand-offs, crash loops, SIGHUP reload and SIGTERM grace (real processes).
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CrashLoopError, type SocketServer } from 'supervise';
import { alive, workerChildren } from '../helpers.js';
import { LINE_WORKER, LineClient, sleep, useServeFixture, waitFor, waitForSocket } from './helpers.js';

const f = useServeFixture();


/**
 * Waits until a job blocks a worker's event loop: the worker running it has sent no heartbeat for 5 intervals
 * (the server's heartbeatInterval is 50 ms). Returns that worker's pid.
 */
async function stalledWorker(server: SocketServer): Promise<number> {
  let pid: number | undefined;
  await waitFor('a worker stalled by its job', () => {
    pid = server.supervisor.workerStats().find((w) => w.inFlight === 1 && w.silentFor > 250)?.pid;
    return pid !== undefined;
  });
  return pid!;
}

describe('serve() supervision', () => {
  it('a worker killed mid-connection takes down only its own connections, and is replaced', async () => {
    const socket = `${f.dir}/s.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, socket, restartDelay: 50 });
    const clients = await Promise.all(Array.from({ length: 6 }, () => LineClient.connect(socket)));
    const pids = await Promise.all(clients.map((c) => c.pid()));
    const [victim, survivor] = [...new Set(pids)];
    expect(pids.filter((p) => p === victim)).toHaveLength(3);

    process.kill(victim, 'SIGKILL');
    const mine = clients.filter((_, i) => pids[i] === victim);
    const theirs = clients.filter((_, i) => pids[i] === survivor);
    await Promise.all(mine.map((c) => c.closed));
    // the other worker's clients carry on, mid-conversation
    for (const client of theirs) expect(await client.request('still there?')).toBe(`${survivor} still there?`);

    await waitFor('a replacement worker', () => {
      const workers = server.stats().workers;
      return workers.length === 2 && workers.every((w) => w.state === 'ready') && !workers.some((w) => w.pid === victim);
    });
    expect(server.supervisor.stats().restarts).toBe(1);
    const replacement = server.stats().workers.find((w) => w.pid !== survivor)!.pid;
    // least connections: the fresh worker (0 open) gets the next ones
    const fresh = await LineClient.connect(socket);
    expect(await fresh.pid()).toBe(replacement);
    for (const client of theirs) expect(await client.request('after')).toBe(`${survivor} after`);
    await Promise.all([...theirs, fresh].map((c) => c.end()));
  });

  it('gives a connection to another worker when the first does not take it in time', async () => {
    const socket = `${f.dir}/s.sock`;
    const records: Record<string, any>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => records.push(JSON.parse(line)) });
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, socket, handoffTimeout: 300, heartbeatInterval: 50, logger });
    // a job stalls one worker's event loop for 3 s: it cannot take connections
    const stalled = server.supervisor.runDetailed<number>(3000);
    const stalledPid = await stalledWorker(server);
    const started = Date.now();
    // two at once: with both workers at 0 open, one of them goes to the stalled worker first
    const clients = await Promise.all([LineClient.connect(socket), LineClient.connect(socket)]);
    const pids = await Promise.all(clients.map((c) => c.pid()));
    const elapsed = Date.now() - started;
    expect(pids[0]).toBe(pids[1]);
    expect(elapsed).toBeLessThan(2000);
    expect(server.stats().handoffTimeouts).toBeGreaterThanOrEqual(1);
    expect((await stalled).result).toBe(stalledPid);
    expect(stalledPid).not.toBe(pids[0]);
    // awake again, with 0 open connections against 2, the stalled worker gets the next one; it reads its hand-offs
    // in order, so once it answers this one it has dealt with the late copy it was sent while stalled
    const handedOff = server.stats().handedOff;
    // a worker whose hand-off timed out gets no new connections until it answers (or heartbeats) again
    await waitFor('the stalled worker to be taking connections again', () => !server.stats().workers.some((w) => w.stalled));
    const probe = await LineClient.connect(socket);
    expect(await probe.pid()).toBe(stalledPid);
    // its acknowledgements travel in order too: once the probe's is counted, an accept of the late copy would have been seen
    await waitFor('the probe to be counted', () => server.stats().handedOff === handedOff + 1);
    await probe.end();
    expect(records.filter((r) => r.level >= 50).map((r) => r.msg)).toEqual([]);
    // it refused its late copy: every byte still goes to the worker that took the connections
    for (const client of clients) {
      for (let i = 0; i < 5; i++) expect(await client.request(`after ${i}`)).toBe(`${pids[0]} after ${i}`);
    }
    // the stalled worker refused the late connection when it woke, and serves normally again
    await Promise.all(clients.map((c) => c.end()));
    await waitFor('both workers idle', () => server.stats().workers.every((w) => w.open === 0 && w.pending === 0));
    const again = await Promise.all([LineClient.connect(socket), LineClient.connect(socket)]);
    expect(new Set(await Promise.all(again.map((c) => c.pid())))).toEqual(new Set([stalledPid, pids[0]]));
    await Promise.all(again.map((c) => c.end()));
    expect(server.stats().dropped).toBe(0);
  });

  it('keeps a connection its only worker did not take in time, and serves it once the worker is free', async () => {
    const socket = `${f.dir}/s.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, socket, handoffTimeout: 300, heartbeatInterval: 50 });
    const stalled = server.supervisor.run(3000);
    await stalledWorker(server);
    const client = await LineClient.connect(socket);
    // not closed after two missed hand-offs (as it was): it goes back to the head of the queue and waits for the worker
    expect(await client.request('anyone?', 15_000)).toMatch(/^\d+ anyone\?$/);
    await stalled;
    expect(server.stats()).toMatchObject({ dropped: 0, handedOff: 1 });
    expect(server.stats().handoffTimeouts).toBeGreaterThanOrEqual(1);
    const next = await LineClient.connect(socket);
    expect(await next.request('hello')).toMatch(/^\d+ hello$/);
    await Promise.all([client.end(), next.end()]);
    expect(server.stats()).toMatchObject({ handedOff: 2, dropped: 0 });
    expect(server.supervisor.stats().restarts).toBe(0);
  });

  it('reload() replaces the workers; an open connection keeps its draining worker, told so by ctx.signal', async () => {
    const socket = `${f.dir}/s.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, socket });
    const oldPids = server.stats().workers.map((w) => w.pid);
    const long = await LineClient.connect(socket);
    const longPid = Number((await long.request('watch-drain')).split(' ')[0]);
    let reloaded = false;
    const reload = server.reload().then(() => (reloaded = true));
    expect(await long.next()).toBe(`${longPid} drained`);
    // draining, its worker still serves the connection, and the reload waits for it
    expect(await long.request('still here')).toBe(`${longPid} still here`);
    const draining = server.stats().workers.find((w) => w.pid === longPid);
    expect(draining?.state).toBe('draining');
    expect(draining?.open).toBe(1);
    // the scenario: the client keeps its connection a while longer, and the reload keeps waiting
    await sleep(200);
    expect(reloaded).toBe(false);
    expect(server.stats().workers.find((w) => w.pid === longPid)).toMatchObject({ state: 'draining', open: 1 });
    await long.end();
    await reload;
    const newPids = server.stats().workers.map((w) => w.pid);
    expect(newPids).toHaveLength(2);
    for (const pid of newPids) expect(oldPids).not.toContain(pid);
    expect(server.supervisor.stats().restarts).toBe(0);
  });

  it('reload() closes connections still open after the grace period', async () => {
    const socket = `${f.dir}/s.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, socket, grace: 500 });
    const idle = await LineClient.connect(socket);
    expect(await idle.request('hi')).toMatch(/^\d+ hi$/);
    const started = Date.now();
    await server.reload();
    await idle.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(server.supervisor.stats().restarts).toBe(0);
    const next = await LineClient.connect(socket);
    expect(await next.request('hi')).toMatch(/^\d+ hi$/);
    await next.end();
  });

  it('applies the restart limits: a crash loop fails the server and removes the socket', async () => {
    const socket = `${f.dir}/s.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 1, socket, maxRestarts: 2, restartDelay: 20 });
    const failed = new Promise<Error>((resolve) => server.once('failed', resolve));
    for (let crash = 0; crash < 3; crash++) {
      await waitFor('a ready worker', () => server.stats().workers.some((w) => w.state === 'ready'));
      const client = await LineClient.connect(socket);
      client.send('crash');
      await client.closed;
    }
    const error = await failed;
    expect(error).toBeInstanceOf(CrashLoopError);
    expect(server.supervisor.state).toBe('failed');
    await waitFor('the socket file to be removed', () => !existsSync(socket));
  });
});

describe('supervise serve signals', () => {
  it('SIGHUP replaces every worker without refusing a connection; open ones keep their old worker', async () => {
    const socket = `${f.dir}/s.sock`;
    const cli = f.runCli(['serve', LINE_WORKER, '--socket', socket, '--workers', '2', '--grace', '20000']);
    await waitForSocket(socket);
    const long = await LineClient.connect(socket);
    const longPid = await long.pid();
    // the worker will tell this connection when it is told to shut down (its ctx.signal aborts)
    expect(await long.request('watch-drain')).toBe(`${longPid} watch-drain`);
    const other = await LineClient.connect(socket);
    const oldPids = new Set([longPid, await other.pid()]);
    expect(oldPids.size).toBe(2);
    await other.end();

    let stop = false;
    let served = 0;
    const failures: string[] = [];
    const seen = new Set<number>();
    const traffic = (async () => {
      while (!stop) {
        try {
          const client = await LineClient.connect(socket);
          seen.add(await client.pid());
          await client.end();
          served++;
        } catch (error) {
          failures.push(String(error));
        }
        await sleep(10);
      }
    })();

    cli.child.kill('SIGHUP');
    await waitFor('new workers to serve', () => [...seen].filter((p) => !oldPids.has(p)).length >= 1);
    // the long-lived connection's worker is told to shut down once its replacement is ready (it was first, or the
    // second's replacement has booted); it stays alive, draining, for as long as that connection is open
    expect(await long.next(20_000)).toBe(`${longPid} drained`);
    for (let i = 0; i < 3; i++) {
      expect(await long.request(`during reload ${i}`)).toBe(`${longPid} during reload ${i}`);
      await sleep(100);
    }
    expect(cli.stderr()).not.toContain('reload done');
    await long.end();
    await waitFor('the reload to finish', () => cli.stderr().includes('reload done'));
    seen.clear();
    const before = served;
    await waitFor('traffic after the reload', () => served >= before + 20);
    stop = true;
    await traffic;

    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    // after the reload only new workers answer: two open connections land on two new workers
    const pair = await Promise.all([LineClient.connect(socket), LineClient.connect(socket)]);
    for (const pid of await Promise.all(pair.map((c) => c.pid()))) seen.add(pid);
    await Promise.all(pair.map((c) => c.end()));
    expect(seen.size).toBe(2);
    for (const pid of seen) expect(oldPids.has(pid)).toBe(false);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM stops accepting, lets open connections finish within the grace period, closes the rest', async () => {
    const socket = `${f.dir}/s.sock`;
    const cli = f.runCli(['serve', LINE_WORKER, '--socket', socket, '--workers', '2', '--grace', '1500']);
    await waitForSocket(socket);
    const busy = await LineClient.connect(socket);
    const idle = await LineClient.connect(socket);
    expect(await idle.request('hi')).toMatch(/^\d+ hi$/);
    busy.send('sleep 600');
    const started = Date.now();
    cli.child.kill('SIGTERM');

    await waitFor('the socket file to be removed', () => !existsSync(socket), 1000);
    await expect(LineClient.connect(socket)).rejects.toMatchObject({ code: 'ENOENT' });
    // the request in progress finishes, and the client hangs up on its own
    expect(await busy.next()).toMatch(/^\d+ sleep 600$/);
    await busy.end();
    // the idle one is closed by the server once the grace period is over
    await idle.closed;
    const closedAfter = Date.now() - started;
    expect(closedAfter).toBeGreaterThanOrEqual(1400);
    expect(closedAfter).toBeLessThan(5000);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM while it starts (workers still loading): it stops once started, exit 0, socket removed, no worker left', async () => {
    const socket = `${f.dir}/s.sock`;
    const cli = f.runCli(['serve', LINE_WORKER, '--socket', socket, '--workers', '2']);
    // a worker process exists: the CLI is past its argument checks and starting the pool
    let workers: number[] = [];
    await waitFor('a worker process', () => (workers = workerChildren(cli.child.pid!)).length > 0, 15_000);
    cli.child.kill('SIGTERM');
    // before: Node's default action for SIGTERM ended the process at once (signal SIGTERM, no exit code)
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
    await waitFor('its workers to exit', () => workers.every((pid) => !alive(pid)), 5000);
  });

  it('exits 3 when the workers crash-loop', async () => {
    const socket = `${f.dir}/s.sock`;
    const cli = f.runCli(['serve', LINE_WORKER, '--socket', socket, '--workers', '1', '--max-restarts', '1']);
    await waitForSocket(socket);
    for (let crash = 0; crash < 2; crash++) {
      // the replacement may still be starting: connections wait for it
      const client = await LineClient.connect(socket);
      client.send('crash');
      await client.closed;
    }
    const lastCrash = Date.now();
    const { code } = await cli.exited;
    expect(code).toBe(3);
    // promptly: nothing (such as a kill timer of a worker that is already gone) holds the process
    expect(Date.now() - lastCrash).toBeLessThan(3000);
    expect(cli.stderr()).toContain('Workers are crash-looping');
    expect(existsSync(socket)).toBe(false);
  });
});
