import { expect, it } from 'vitest';
import type { Job } from '../../src/supervisor/job.js';
import { PendingJobs } from '../../src/supervisor/pending-jobs.js';

const job = (id: number) => ({ id, prevPending: undefined, nextPending: undefined }) as unknown as Job;
const ids = (list: PendingJobs) => list.toArray().map((j) => j.id);

it('keeps jobs in the order they were added, through removals at the head, the tail and the middle', () => {
  const list = new PendingJobs();
  const jobs = Array.from({ length: 6 }, (_, i) => job(i));
  for (const j of jobs) list.add(j);
  list.delete(jobs[0]);
  list.delete(jobs[5]);
  list.delete(jobs[2]);
  expect(ids(list)).toEqual([1, 3, 4]);
  expect(list.size).toBe(3);
  list.add(jobs[0]);
  expect(ids(list)).toEqual([1, 3, 4, 0]);
  for (const j of list.toArray()) list.delete(j);
  expect(list.size).toBe(0);
  expect(ids(list)).toEqual([]);
});

it('ignores the removal of a job it does not hold, or holds no longer', () => {
  const list = new PendingJobs();
  const [a, b, stranger] = [job(1), job(2), job(3)];
  list.add(a);
  list.add(b);
  list.delete(stranger);
  list.delete(a);
  list.delete(a);
  expect(ids(list)).toEqual([2]);
  expect(list.size).toBe(1);
});
