// Jobs that find every worker slot taken: they wait in the dispatcher (or in p-queue when `concurrency` is the
// tighter bound), start in submission order, and each is answered once.
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

it('starts jobs that had to wait in the order they were submitted', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1, perWorker: 1 });
  await sup.ready();
  const finished: number[] = [];
  const jobs = Array.from({ length: 40 }, (_, i) => sup.run<number>(i).then((n) => void finished.push(n)));
  expect(sup.stats().queued).toBe(39);
  await Promise.all(jobs);
  expect(finished).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(sup.stats()).toMatchObject({ queued: 0, inFlight: 0, completed: 40 });
});

it('answers each of 20,000 jobs submitted at once, far beyond the slots, exactly once with its own result', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 3, perWorker: 8 });
  await sup.ready();
  const answers = await Promise.all(Array.from({ length: 20_000 }, (_, i) => sup.run<string>(`job ${i}`)));
  answers.forEach((answer, i) => expect(answer).toBe(`job ${i}`));
  expect(sup.stats()).toMatchObject({ queued: 0, inFlight: 0, completed: 20_000, failed: 0 });
});

it('keeps no more jobs in flight than `concurrency` when it is below the worker slots', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2, perWorker: 4, concurrency: 3 });
  await sup.ready();
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, sup.stats().inFlight)), 2);
  const jobs = Array.from({ length: 12 }, (_, i) => sup.run({ value: i, ms: 30 }, { name: 'delayed' }));
  expect(sup.stats().inFlight).toBe(3);
  expect(sup.stats().queued).toBe(9);
  expect(await Promise.all(jobs)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  clearInterval(timer);
  expect(most).toBe(3);
});

it('keeps to `concurrency` for jobs already waiting when the pool grows past it', async () => {
  // 2 workers × 2 slots = concurrency 4: the slots bind, and waiting jobs wait in the dispatcher
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2, perWorker: 2, concurrency: 4 });
  await sup.ready();
  // the first 4 run long, so they are still running when the new workers are ready; the 20 behind them wait
  const jobs = Array.from({ length: 24 }, (_, i) => sup.run({ value: i, ms: i < 4 ? 1500 : 100 }, { name: 'delayed' }));
  expect(sup.stats().queued).toBe(20);
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, sup.stats().inFlight)), 2);
  // now 4 workers × 2 slots = 8 > concurrency 4: `concurrency` binds, and must hold for the 20 waiting, beside
  // the 4 that took their slots before
  sup.resize(4);
  expect(await waitFor(() => sup.stats().ready === 4, 5000)).toBe(true);
  expect(await Promise.all(jobs)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  clearInterval(timer);
  expect(most).toBe(4);
  expect(sup.stats()).toMatchObject({ queued: 0, completed: 24 });
});
