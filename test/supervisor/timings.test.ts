// Job timing: wait and run times on job:done, percentiles and utilisation in stats().
import { afterEach, expect, it } from 'vitest';
import type { JobDoneEvent } from 'supervise';
import { JobTimings } from '../../src/supervisor/timings.js';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

it('computes percentiles over the window and utilisation over the slot time the jobs spanned', () => {
  const timings = new JobTimings();
  // 100 jobs, each waiting i ms and running 10 ms, back to back on one slot, ending at 10, 20, ... 1000
  for (let i = 1; i <= 100; i++) timings.record(i, 10, i * 10);
  const stats = timings.stats(1000, 1);
  expect(stats.jobs).toBe(100);
  expect(stats.wait).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
  expect(stats.run).toEqual({ p50: 10, p90: 10, p99: 10, max: 10 });
  expect(stats.utilisation).toBeCloseTo(1, 5);
  // the same work offered twice the slots: half used
  expect(timings.stats(1000, 2).utilisation).toBeCloseTo(0.5, 5);
  // a sampled entry stands for the jobs it was sampled from
  const sampled = new JobTimings();
  for (let i = 1; i <= 10; i++) sampled.record(1, 10, i * 160, 16);
  expect(sampled.stats(1600, 1).utilisation).toBeCloseTo(1, 5);
  // only the last 1,024 jobs count
  for (let i = 0; i < 2000; i++) timings.record(1, 1, 2000 + i);
  expect(timings.stats(4000, 1)).toMatchObject({ jobs: 1024, wait: { max: 1 } });
});

it('reports on job:done how long each job waited and ran, and sums it up in stats()', async () => {
  const sup = supervisor({ worker: fixture('hostile.ts'), workers: 1 });
  await sup.ready();
  const done: JobDoneEvent[] = [];
  sup.on('job:done', (event) => done.push(event));
  await Promise.all([sup.run(200, { name: 'sleep' }), sup.run(200, { name: 'sleep' })]);
  const [first, second] = [...done].sort((a, b) => a.jobId - b.jobId);
  expect(first.runMs).toBeGreaterThanOrEqual(190);
  expect(first.waitMs).toBeLessThan(150);
  // the second waited for the only slot while the first ran
  expect(second.waitMs).toBeGreaterThanOrEqual(150);
  expect(second.runMs).toBeGreaterThanOrEqual(190);
  const { timing } = sup.stats();
  expect(timing.jobs).toBe(2);
  expect(timing.run.max).toBeGreaterThanOrEqual(190);
  expect(timing.wait.max).toBeGreaterThanOrEqual(150);
  // one slot, busy the whole time both jobs spanned
  expect(timing.utilisation).toBeGreaterThan(0.8);
});
