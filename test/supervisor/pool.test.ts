// Recycling, reload and resize, all under load and without a failed job.
import { afterEach, describe, expect, it } from 'vitest';
import { alive, closeAll, fixture, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

const hostile = fixture('hostile.ts');

/** Runs `count` short jobs, `parallel` at a time, returning the pids that served them. */
async function load(sup: ReturnType<typeof supervisor>, count: number, ms = 2): Promise<number[]> {
  return Promise.all(Array.from({ length: count }, () => sup.run<number>(ms, { name: 'sleep' })));
}

describe('recycling', () => {
  it('replaces workers after about maxJobsPerWorker jobs, with jitter, without a failed job', async () => {
    const sup = supervisor({ worker: hostile, workers: 2, perWorker: 2, maxJobsPerWorker: 25 });
    const recycled: string[] = [];
    const recycledPids = new Set<number>();
    sup.on('worker:recycle', (event) => {
      recycled.push(event.reason);
      recycledPids.add(event.pid!);
    });
    const pids = await load(sup, 300);
    expect(pids).toHaveLength(300);
    // a recycled worker keeps serving until its replacement is ready, so it serves its ~25 jobs and then some;
    // how many the first workers serve depends on how fast the replacements start: wait for them, then load again
    expect(recycled.length).toBeGreaterThanOrEqual(2);
    expect(await waitFor(() => sup.workerStats().every((w) => !recycledPids.has(w.pid!)), 10_000)).toBe(true);
    pids.push(...(await load(sup, 20)));
    const stats = sup.stats();
    expect(stats.failed).toBe(0);
    expect(stats.restarts).toBe(0);
    const perPid = new Map<number, number>();
    for (const pid of pids) perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    expect(perPid.size).toBeGreaterThanOrEqual(3);
    // each at its own limit: 25 ± 10%
    for (const reason of recycled) {
      const served = Number(/^served (\d+) jobs \(maxJobsPerWorker\)$/.exec(reason)?.[1]);
      expect(served, reason).toBeGreaterThanOrEqual(22);
      expect(served, reason).toBeLessThanOrEqual(28);
    }
  });

  it('replaces a worker whose RSS exceeds maxMemory, finishing its jobs first', async () => {
    const sup = supervisor({ worker: hostile, workers: 1, heartbeatInterval: 50, heartbeatTimeout: 5000, maxMemory: 200 * 1024 * 1024 });
    const recycled: string[] = [];
    sup.on('worker:recycle', (event) => recycled.push(event.reason));
    const bigPid = await sup.run<number>(250, { name: 'grow' });
    await waitFor(() => recycled.length > 0, 5000);
    expect(recycled[0]).toMatch(/RSS \d+ bytes is over maxMemory \(209715200\)/);
    expect(await waitFor(() => !alive(bigPid), 10_000)).toBe(true);
    const next = await sup.run<number>(null, { name: 'pid' });
    expect(next).not.toBe(bigPid);
    expect(sup.stats()).toMatchObject({ failed: 0, restarts: 0 });
  });

  it('keeps the old worker serving until its replacement is ready: never fewer ready workers than the pool size', async () => {
    const sup = supervisor({ worker: hostile, workers: 2, maxJobsPerWorker: 5 });
    await sup.ready();
    // sampled at every event, not on a timer: a dip between two events cannot hide
    let lowest = Infinity;
    const sample = () => (lowest = Math.min(lowest, sup.stats().ready));
    for (const event of ['job:done', 'worker:ready', 'worker:exit', 'worker:recycle', 'worker:spawn'] as const) sup.on(event, sample);
    await load(sup, 200, 10);
    expect(sup.stats().recycled).toBeGreaterThanOrEqual(2);
    expect(lowest).toBe(2);
  });
});

describe('reload and resize', () => {
  it('reload() replaces every worker, one at a time, while jobs keep succeeding', async () => {
    const sup = supervisor({ worker: hostile, workers: 3 });
    await sup.ready();
    const before = new Set(await Promise.all([1, 2, 3].map(() => sup.run<number>(30, { name: 'sleep' }))));
    let running = true;
    const results: Promise<number>[] = [];
    const feeder = (async () => {
      while (running) {
        results.push(sup.run<number>(5, { name: 'sleep' }));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await sup.reload();
    running = false;
    await feeder;
    const pids = await Promise.all(results);
    expect(pids.length).toBeGreaterThan(20);
    expect(sup.stats()).toMatchObject({ failed: 0, restarts: 0 });
    const after = await Promise.all([1, 2, 3].map(() => sup.run<number>(30, { name: 'sleep' })));
    for (const pid of after) expect(before.has(pid)).toBe(false);
    for (const pid of before) expect(alive(pid)).toBe(false);
  });

  it('resize() grows and shrinks the pool under load', async () => {
    const sup = supervisor({ worker: hostile, workers: 1, perWorker: 2 });
    const first = load(sup, 200, 3);
    sup.resize(4);
    await sup.ready(4);
    expect(sup.stats().ready).toBe(4);
    const second = load(sup, 200, 3);
    sup.resize(2);
    const pids = [...(await first), ...(await second)];
    expect(pids).toHaveLength(400);
    expect(new Set(pids).size).toBeGreaterThanOrEqual(3);
    await waitFor(() => sup.stats().workers === 2, 5000);
    expect(sup.stats()).toMatchObject({ workers: 2, failed: 0, restarts: 0 });
    expect(() => sup.resize(0)).toThrow('Expected `workers` to be an integer from 1 and up, got `0` (number)');
  });
});
