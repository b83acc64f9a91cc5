// Jobs that find every worker slot taken: they wait in the dispatcher (or in p-queue when `concurrency` is the
// tighter bound), start in submission order, and each is answered once.
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor } from '../helpers.js';

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
  const jobs = Array.from({ length: 24 }, (_, i) => sup.run({ value: i, ms: 150 }, { name: 'delayed' }));
  expect(sup.stats().queued).toBe(20);
  // now 4 workers × 2 slots = 8 > concurrency 4: `concurrency` binds, and must still hold for the 20 waiting
  // once the new workers are ready (the jobs take 150 ms each: about a second in all, 4 at a time)
  sup.resize(4);
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, sup.stats().inFlight)), 2);
  expect(await Promise.all(jobs)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  clearInterval(timer);
  expect(most).toBe(4);
  expect(sup.stats()).toMatchObject({ queued: 0, completed: 24 });
});
