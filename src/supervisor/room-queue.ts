// Callers of run() waiting for room when `maxQueue` jobs already wait and `queueFull` is 'wait'.
import { AbortError } from '../errors.js';
import type { Job } from './job.js';

interface Waiter {
  job: Job;
  admit: () => void;
  fail: (error: Error) => void;
}

/**
 * A FIFO of jobs not yet queued. Each is let in (`admit`) when the queue has
 * room, in arrival order; it rejects at once if its signal aborts, and all of
 * them reject when the pool fails or is destroyed (`failAll`).
 */
export class RoomQueue {
  private readonly waiters: Waiter[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /** Resolves with the job once `enqueue` took it; `onLeft` runs when an aborted job leaves the line. */
  wait(job: Job, enqueue: (job: Job) => Job, onLeft: () => void): Promise<Job> {
    return new Promise<Job>((resolve, reject) => {
      const { signal } = job.options;
      const waiter: Waiter = {
        job,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          try {
            resolve(enqueue(job));
          } catch (error) {
            reject(error);
          }
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at !== -1) this.waiters.splice(at, 1);
        reject(new AbortError('The job was aborted while it waited for room in the queue', { cause: signal?.reason }));
        onLeft();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The jobs waiting, oldest first. */
  jobs(): Job[] {
    return this.waiters.map((waiter) => waiter.job);
  }

  /** Lets waiters in, one at a time, while `hasRoom()` says there is room. */
  admit(hasRoom: () => boolean): void {
    while (this.waiters.length > 0 && hasRoom()) this.waiters.shift()!.admit();
  }

  failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.fail(error);
  }
}
