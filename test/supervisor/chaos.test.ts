// Chaos: 5,000 jobs while a random ready worker is SIGKILLed every ~50 ms. None lost, none duplicated, no process left.
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, reaped, supervisor } from '../helpers.js';

afterEach(closeAll);

it('answers every one of 5,000 jobs exactly once with its own result while workers are killed', async () => {
  const sup = supervisor({
    worker: fixture('handlers.ts'),
    workers: 4,
    perWorker: 4,
    retries: 100,
    maxRestarts: Infinity,
    restartDelay: 5,
    maxRestartDelay: 50,
  });
  const spawned: number[] = [];
  const live = new Set<number>();
  sup.on('worker:spawn', ({ pid }) => pid && spawned.push(pid));
  sup.on('worker:ready', ({ pid }) => pid && live.add(pid));
  sup.on('worker:exit', ({ pid }) => pid && live.delete(pid));
  const doneEvents = new Map<number, number>();
  sup.on('job:done', ({ jobId }) => doneEvents.set(jobId, (doneEvents.get(jobId) ?? 0) + 1));
  await sup.ready();

  let kills = 0;
  const killer = setInterval(() => {
    const pids = [...live];
    if (pids.length === 0) return;
    const victim = pids[Math.floor(Math.random() * pids.length)];
    try {
      process.kill(victim, 'SIGKILL');
      kills++;
    } catch {
      // already gone
    }
  }, 50);

  const JOBS = 5000;
  const answers = new Array<number>(JOBS).fill(0);
  const wrong: number[] = [];
  const started = Date.now();
  const settled = await Promise.allSettled(
    Array.from({ length: JOBS }, (_, i) =>
      sup.run<number>({ value: i, ms: 2 }, { name: 'delayed' }).then((value) => {
        answers[i]++;
        if (value !== i) wrong.push(i);
      }),
    ),
  );
  clearInterval(killer);
  const seconds = (Date.now() - started) / 1000;

  const failed = settled.filter((s) => s.status === 'rejected');
  const lost = answers.filter((n) => n === 0).length;
  const duplicated = answers.filter((n) => n > 1).length + [...doneEvents.values()].filter((n) => n > 1).length;
  const stats = sup.stats();
  console.log(
    `chaos: ${JOBS} jobs in ${seconds.toFixed(1)} s, ${kills} SIGKILLs, ${stats.restarts} restarts, ${stats.retried} re-dispatches, ` +
      `${failed.length} failed, ${lost} lost, ${duplicated} duplicated, ${wrong.length} wrong`,
  );
  expect(failed.map((f) => (f as PromiseRejectedResult).reason?.message).slice(0, 3)).toEqual([]);
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect(wrong).toEqual([]);
  expect(kills).toBeGreaterThanOrEqual(10);
  expect(stats.retried).toBeGreaterThan(0);

  await sup.close();
  // every worker ever started is gone and reaped (no zombie, no orphan)
  expect(spawned.filter((pid) => !reaped(pid))).toEqual([]);
}, 120_000);
