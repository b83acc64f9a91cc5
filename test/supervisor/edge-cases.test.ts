// Edge cases of the pool's life: failed spawns, oversized frames, shrinking and reloading at awkward moments, throwing listeners.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CrashLoopError, PayloadError, SupervisorClosedError, WorkerBootError, type WorkerExitEvent } from 'supervise';
import { alive, closeAll, fixture, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

const handlers = fixture('handlers.ts');
const hostile = fixture('hostile.ts');
const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);

describe('spawning', () => {
  it('a worker that cannot be spawned fails the pool instead of hanging run(), ready() and close()', async () => {
    const sup = supervisor({ worker: handlers, workers: 1, cwd: '/nonexistent-directory-for-supervise' });
    const error = await within(sup.run(1).catch((e: unknown) => e), 5000);
    expect(error).toBeInstanceOf(CrashLoopError);
    expect((error as Error).message).toContain('could not be spawned');
    expect((error as Error).cause).toBeInstanceOf(WorkerBootError);
    await expect(within(sup.ready(), 2000)).rejects.toBeInstanceOf(CrashLoopError);
    expect(await within(sup.close().then(() => 'closed'), 5000)).toBe('closed');
  });
});

describe('starting', () => {
  it('a module that never finishes loading is killed after startTimeout and fails the pool', async () => {
    const sup = supervisor({ worker: fixture('hangs-on-load.ts'), workers: 1, startTimeout: 500 });
    const error = (await within(sup.run(1).catch((e: unknown) => e), 5000)) as Error;
    expect(error).toBeInstanceOf(CrashLoopError);
    expect(error.message).toContain('did not load its module within startTimeout (500 ms)');
  });
});

describe('frame size', () => {
  it('rejects a payload larger than maxFrameSize before sending it, without touching the workers', async () => {
    const sup = supervisor({ worker: handlers, workers: 1, maxFrameSize: 4096 });
    const pid = await sup.run<number>(null, { name: 'pid' });
    const error = await sup.run('y'.repeat(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect(error).toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE' });
    await expect(sup.run(new Uint8Array(5000))).rejects.toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE' });
    expect(await sup.run<number>(null, { name: 'pid' })).toBe(pid);
    expect(sup.stats()).toMatchObject({ restarts: 0, state: 'running' });
  });

  it('fails a job whose result is larger than maxFrameSize, and keeps the worker', async () => {
    const sup = supervisor({ worker: handlers, workers: 1, maxFrameSize: 4096, maxRestarts: 1 });
    const pid = await sup.run<number>(null, { name: 'pid' });
    for (let i = 0; i < 3; i++) {
      await expect(sup.run(5000, { name: 'text' })).rejects.toMatchObject({ name: 'PayloadError', code: 'ERR_PAYLOAD_TOO_LARGE' });
    }
    expect(await sup.run<string>(100, { name: 'text' })).toHaveLength(100);
    expect(await sup.run<number>(null, { name: 'pid' })).toBe(pid);
    expect(sup.stats()).toMatchObject({ restarts: 0, state: 'running' });
  });
});

describe('shrinking and reloading', () => {
  it('resize() down while workers are starting is not counted as crashes', async () => {
    const sup = supervisor({ worker: handlers, workers: 6, maxRestarts: 2 });
    const exits: WorkerExitEvent[] = [];
    sup.on('worker:exit', (event) => exits.push(event));
    // the sixth spawn: all six exist, and none can have said hello yet (that takes I/O, and this resumes first)
    await new Promise<void>((resolve) => {
      let spawns = 0;
      sup.on('worker:spawn', () => ++spawns === 6 && resolve());
    });
    expect(sup.workerStats().map((w) => w.state)).toEqual(Array(6).fill('starting'));
    sup.resize(1);
    expect(await sup.run('still fine')).toBe('still fine');
    expect(await waitFor(() => sup.stats().workers === 1, 10_000)).toBe(true);
    expect(sup.stats()).toMatchObject({ workers: 1, restarts: 0, state: 'running' });
    // the five it stopped ended as ordered exits
    expect(exits.map((e) => [e.cause, e.expected])).toEqual(Array(5).fill(['ordered', true]));
  });

  it('resize() down during a restart backoff keeps the healthy worker', async () => {
    const sup = supervisor({ worker: hostile, workers: 2, restartDelay: 3000, retries: 0 });
    await sup.ready();
    await sup.run(null, { name: 'crash' }).catch(() => {});
    sup.resize(1);
    const started = Date.now();
    expect(await sup.run('served at once')).toBe('served at once');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(sup.stats().workers).toBe(1);
  });

  it('reload() during close() leaves no worker behind', async () => {
    const sup = supervisor({ worker: handlers, workers: 2 });
    // every spawn, from the first, and whether close() had been called by then
    const spawned: { pid: number | undefined; afterClose: boolean }[] = [];
    let closeCalled = false;
    sup.on('worker:spawn', ({ pid }) => spawned.push({ pid, afterClose: closeCalled }));
    await sup.ready();
    // close once the reload is under way: its first replacement has been spawned and is starting
    const replacementSpawned = new Promise<void>((resolve) => sup.once('worker:spawn', () => resolve()));
    const reloading = sup.reload().catch((error: unknown) => error);
    await replacementSpawned;
    expect(sup.workerStats().map((w) => w.state).sort()).toEqual(['ready', 'ready', 'starting']);
    closeCalled = true;
    await sup.close();
    const reloaded = await reloading;
    // reload() either finished with what it had or gave up because of the close; it did not fail otherwise
    if (reloaded !== undefined) expect(reloaded).toBeInstanceOf(SupervisorClosedError);
    expect(sup.stats()).toMatchObject({ workers: 0, state: 'closed' });
    expect(spawned.filter((s) => s.afterClose)).toEqual([]);
    expect(spawned).toHaveLength(3);
    for (const { pid } of spawned) expect(alive(pid!)).toBe(false);
  });

  it('ready() rejects once the supervisor is closing', async () => {
    const sup = supervisor({ worker: handlers, workers: 1 });
    const waiting = sup.ready(5);
    const closing = sup.close();
    await expect(within(waiting, 5000)).rejects.toBeInstanceOf(SupervisorClosedError);
    await closing;
  });
});

describe('listeners', () => {
  it('a job:done listener that throws neither leaks a slot nor kills the worker', async () => {
    const sup = supervisor({ worker: handlers, workers: 1, concurrency: 1 });
    const pid = await sup.run<number>(null, { name: 'pid' });
    sup.on('job:done', () => {
      throw new Error('listener bug');
    });
    for (let i = 0; i < 5; i++) expect(await within(sup.run(i), 3000)).toBe(i);
    expect(await sup.run<number>(null, { name: 'pid' })).toBe(pid);
    expect(alive(pid)).toBe(true);
  });
});

describe("queueFull: 'wait'", () => {
  it('close() finishes the jobs that were waiting for room', async () => {
    const sup = supervisor({ worker: hostile, workers: 1, maxQueue: 1, queueFull: 'wait' });
    await sup.ready();
    const jobs = [sup.run(100, { name: 'sleep' }), sup.run('a'), sup.run('b'), sup.run('c')];
    await sup.close();
    const outcomes = await Promise.allSettled(jobs);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('a job aborted while it waits for room rejects at once', async () => {
    const sup = supervisor({ worker: hostile, workers: 1, maxQueue: 1, queueFull: 'wait' });
    await sup.ready();
    const busy = sup.run(500, { name: 'sleep' });
    const queued = sup.run('queued');
    const controller = new AbortController();
    const waiting = sup.run('waiting', { signal: controller.signal });
    const started = Date.now();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(200);
    await Promise.all([busy, queued]);
  });

  it('takes its listener off a shared signal once each job settles, whether it succeeds, fails, times out or went through map()', async () => {
    const sup = supervisor({ worker: handlers, workers: 1, perWorker: 4 });
    const { signal } = new AbortController();
    await Promise.all([
      expect(sup.run('ok', { signal })).resolves.toBe('ok'),
      expect(sup.run('boom', { name: 'fail', signal })).rejects.toThrow(),
      expect(sup.run({ value: 1, ms: 300 }, { name: 'delayed', timeout: 30, retries: 0, signal })).rejects.toMatchObject({ code: 'ERR_JOB_TIMEOUT' }),
    ]);
    const out: unknown[] = [];
    for await (const value of sup.map(Array.from({ length: 200 }, (_, i) => i), { signal })) out.push(value);
    expect(out).toHaveLength(200);
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });

  it('maxQueue must be at least 1', () => {
    expect(() => supervisor({ worker: handlers, maxQueue: 0 })).toThrow('Expected `maxQueue` to be an integer from 1 and up (or Infinity), got `0` (number)');
  });
});
