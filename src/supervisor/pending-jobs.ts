/*
 * Every job submitted and not yet settled, in submission order: what onIdle()
 * waits to see empty and what close() and destroy() reject. A list threaded
 * through the jobs themselves rather than a Set: adding and removing cost two
 * pointer writes and no garbage, where a Set of jobs that come and go by the
 * hundred keeps rebuilding its hash table.
 */
import type { Job } from './job.js';

export class PendingJobs {
  private head: Job | undefined;
  private tail: Job | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(job: Job): void {
    job.prevPending = this.tail;
    job.nextPending = undefined;
    if (this.tail) this.tail.nextPending = job;
    else this.head = job;
    this.tail = job;
    this.count++;
  }

  /** Removes a job; one not in the list is left alone. */
  delete(job: Job): void {
    const { prevPending: prev, nextPending: next } = job;
    if (prev === undefined && this.head !== job) return;
    if (prev) prev.nextPending = next;
    else this.head = next;
    if (next) next.prevPending = prev;
    else this.tail = prev;
    job.prevPending = job.nextPending = undefined;
    this.count--;
  }

  /** A snapshot, oldest first, so jobs may be removed while it is walked. */
  toArray(): Job[] {
    const out: Job[] = [];
    for (let job = this.head; job; job = job.nextPending) out.push(job);
    return out;
  }
}
