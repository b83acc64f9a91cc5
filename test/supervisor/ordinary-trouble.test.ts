// Ordinary trouble must never become an outage: kills the supervisor orders, poison jobs, hung jobs while draining, bad reloads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobTimeoutError, ReloadError, SupervisorClosedError, WorkerCrashError } from 'supervise';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

const trouble = fixture('trouble.ts');

/** Settles every promise and sorts the outcomes into values and error codes. */
async function outcomes<T>(promises: Array<Promise<T>>): Promise<{ values: T[]; codes: string[] }> {
  const settled = await Promise.allSettled(promises);
  const values: T[] = [];
  const codes: string[] = [];
  for (const s of settled) {
    if (s.status === 'fulfilled') values.push(s.value);
    else codes.push((s.reason as { code?: string }).code ?? `uncoded ${String(s.reason)}`);
  }
  return { values, codes };
}

/** Rejects if `promise` takes longer than `ms`: turns a stall into a failure with a message. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('kills the supervisor orders are not crashes', () => {
  it('survives 12 jobs in a row that overrun their timeout and get their workers killed', async () => {
    const sup = supervisor({ worker: trouble, workers: 2, timeout: 100, killGrace: 100, restartDelay: 10 });
    const exits: string[] = [];
    sup.on('worker:exit', (event) => exits.push(event.cause));
    const { codes } = await outcomes(Array.from({ length: 12 }, () => sup.run(5000, { name: 'overrun' })));
    expect(codes).toEqual(Array(12).fill('ERR_JOB_TIMEOUT'));
    await sup.ready();
    expect(await sup.run('hello')).toBe('hello');
    expect(sup.state).toBe('running');
    expect(exits.length).toBeGreaterThanOrEqual(6);
    expect(exits.every((cause) => cause === 'ordered')).toBe(true);
  });

  it('survives heartbeat kills of CPU-bound jobs; the jobs pay, not the pool', async () => {
    const sup = supervisor({ worker: trouble, workers: 2, heartbeatInterval: 100, heartbeatTimeout: 600, maxRestarts: 2, retries: 1, restartDelay: 10 });
    await sup.ready();
    const { codes } = await outcomes(Array.from({ length: 3 }, () => sup.run(20_000, { name: 'block' })));
    // each job blocked two workers (two attempts) before it was given up on
    expect(codes).toEqual(Array(3).fill('ERR_WORKER_CRASHED'));
    expect(sup.state).toBe('running');
    expect(await sup.run('still here')).toBe('still here');
  });
});

describe('poison jobs', () => {
  it('rejects jobs that kill every worker they touch, and keeps serving the rest with default limits', async () => {
    const sup = supervisor({ worker: trouble, workers: 2 });
    await sup.ready();
    const poisoned = Array.from({ length: 5 }, () => sup.run(null, { name: 'poison' }).catch((e: unknown) => e));
    const good = Array.from({ length: 200 }, (_, i) => sup.run(i));
    const errors = (await Promise.all(poisoned)) as WorkerCrashError[];
    for (const error of errors) {
      expect(error).toBeInstanceOf(WorkerCrashError);
      // retries: 2 by default, so each took down three workers
      expect(error).toMatchObject({ code: 'ERR_WORKER_CRASHED', attempts: 3, crashes: 3 });
      expect(error.message).toContain('it took down 3 workers');
    }
    const values = await Promise.all(good);
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(sup.state).toBe('running');
    expect(sup.stats().restarts).toBeGreaterThanOrEqual(15);
  });
});

describe('draining has a deadline', () => {
  it('keeps healthy jobs flowing while recycled workers hold hung jobs, and bounds the processes alive', async () => {
    const sup = supervisor({ worker: trouble, workers: 2, perWorker: 4, maxJobsPerWorker: 20, drainTimeout: 1000, killGrace: 200 });
    await sup.ready();
    let alive = 0;
    let peak = 0;
    sup.on('worker:spawn', () => (peak = Math.max(peak, ++alive)));
    sup.on('worker:exit', () => alive--);
    alive = sup.stats().workers;
    let over = 0;
    const concurrency = sup.options.concurrency;
    // jobs on draining (or dying) workers gave back their concurrency slots; the rest never exceed it
    sup.on('job:done', () => {
      const serving = sup.workerStats().filter((w) => w.state === 'ready' || w.state === 'starting');
      if (serving.reduce((sum, w) => sum + w.inFlight, 0) > concurrency) over++;
    });
    const healthy: Array<Promise<unknown>> = [];
    const hung: Array<Promise<unknown>> = [];
    for (let i = 0; i < 400; i++) {
      if (i % 25 === 24) hung.push(sup.run(null, { name: 'hang', retries: 0 }).catch((e: unknown) => e));
      else healthy.push(sup.run(i));
    }
    const values = await within(Promise.all(healthy), 45_000, '384 healthy jobs with hung ones among them');
    expect(values).toEqual(Array.from({ length: 400 }, (_, i) => i).filter((i) => i % 25 !== 24));
    // hung jobs end when their worker is killed at its drain deadline, or at the latest with close()
    await within(sup.close(), 10_000, 'close()');
    const codes = new Set(((await Promise.all(hung)) as Array<{ code?: string }>).map((e) => e.code));
    expect([...codes].every((code) => code === 'ERR_WORKER_CRASHED' || code === 'ERR_SUPERVISOR_CLOSED')).toBe(true);
    expect(over).toBe(0);
    // 2 serving, their replacements while they start, and draining ones bounded by the deadline
    expect(peak).toBeLessThanOrEqual(8);
  });

  it('ends close() without a timeout within drainTimeout + killGrace when a job hangs', async () => {
    const sup = supervisor({ worker: trouble, workers: 1, drainTimeout: 1000, killGrace: 200 });
    await sup.ready();
    const hung = sup.run(null, { name: 'hang' }).catch((e: unknown) => e);
    const started = Date.now();
    await within(sup.close(), 1000 + 200 + 4000, 'close() with a hung job');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await hung).toBeInstanceOf(SupervisorClosedError);
    expect(sup.state).toBe('closed');
  });

  it('finishes reload() despite a hung job: the old worker is killed at the drain deadline and its job rejects', async () => {
    const sup = supervisor({ worker: trouble, workers: 1, drainTimeout: 1000, killGrace: 200 });
    await sup.ready();
    const hung = sup.run(null, { name: 'hang', retries: 0 }).catch((e: unknown) => e);
    await within(sup.reload(), 15_000, 'reload() with a hung job');
    const error = (await hung) as WorkerCrashError;
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(error.message).toContain('drainTimeout (1000 ms)');
    expect(await sup.run('after')).toBe('after');
  });

  it('rejects a timed-out job with its own error while its worker drains', async () => {
    const sup = supervisor({ worker: trouble, workers: 1, drainTimeout: 5000, killGrace: 100 });
    await sup.ready();
    const slow = sup.run(10_000, { name: 'overrun', timeout: 200 }).catch((e: unknown) => e);
    const reload = sup.reload();
    expect(await slow).toBeInstanceOf(JobTimeoutError);
    await within(reload, 15_000, 'reload()');
  });
});

describe('recycling when the replacement cannot start', () => {
  it('tries the recycle again, even when the old worker is too full of hung jobs to be given another', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-recycle-'));
    const flag = path.join(dir, 'broken');
    const sup = supervisor({ worker: fixture('breakable.ts'), workers: 1, perWorker: 2, maxJobsPerWorker: 2, drainTimeout: 500, killGrace: 100, restartDelay: 10, env: { BREAKABLE_FLAG: flag } });
    try {
      await sup.ready();
      writeFileSync(flag, '');
      // the first bad start of a replacement fixes the deploy: the next attempt works
      sup.on('worker:exit', (event) => event.cause === 'boot-error' && rmSync(flag, { force: true }));
      const hung = [sup.run(null, { name: 'hang', retries: 0 }).catch((e: unknown) => e), sup.run(null, { name: 'hang', retries: 0 }).catch((e: unknown) => e)];
      // both slots of the only worker are now held forever; this job runs only once the worker is recycled
      const next = sup.run<number>(null);
      expect(typeof (await within(next, 20_000, 'a job behind a saturated worker whose replacement failed'))).toBe('number');
      for (const error of await Promise.all(hung)) expect(error).toBeInstanceOf(WorkerCrashError);
      expect(sup.stats().recycled).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reload', () => {
  it('shares one rolling restart between concurrent calls', async () => {
    const sup = supervisor({ worker: trouble, workers: 2 });
    await sup.ready();
    let spawned = 0;
    sup.on('worker:spawn', () => spawned++);
    const first = sup.reload();
    const second = sup.reload();
    expect(second).toBe(first);
    await within(Promise.all([first, second]), 20_000, 'reload()');
    expect(spawned).toBe(2);
    expect(sup.stats()).toMatchObject({ workers: 2, ready: 2, restarts: 0 });
  });

  it('rejects with a coded ReloadError when the new version cannot start, and keeps the old workers serving', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-reload-'));
    const flag = path.join(dir, 'broken');
    const sup = supervisor({ worker: fixture('breakable.ts'), workers: 2, env: { BREAKABLE_FLAG: flag }, restartDelay: 10 });
    try {
      await sup.ready();
      const before = new Set([await sup.run<number>(null), await sup.run<number>(null)]);
      writeFileSync(flag, '');
      const error = (await sup.reload().catch((e: unknown) => e)) as ReloadError;
      expect(error).toBeInstanceOf(ReloadError);
      expect(error.code).toBe('ERR_RELOAD_FAILED');
      expect(String((error.cause as Error)?.message)).toContain('breakable: the new version cannot start');
      expect(sup.state).toBe('running');
      expect(sup.stats()).toMatchObject({ ready: 2 });
      expect(before.has(await sup.run<number>(null))).toBe(true);
      // a fixed deploy reloads fine afterwards
      rmSync(flag);
      await sup.reload();
      expect(before.has(await sup.run<number>(null))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
