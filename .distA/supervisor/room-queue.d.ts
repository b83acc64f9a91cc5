import type { Job } from './job.js';
/**
 * A FIFO of jobs not yet queued. Each is let in (`admit`) when the queue has
 * room, in arrival order; it rejects at once if its signal aborts, and all of
 * them reject when the pool fails or is destroyed (`failAll`).
 */
export declare class RoomQueue {
    private readonly waiters;
    get size(): number;
    /** Resolves with the job once `enqueue` took it; `onLeft` runs when an aborted job leaves the line. */
    wait(job: Job, enqueue: (job: Job) => Job, onLeft: () => void): Promise<Job>;
    /** Lets waiters in, one at a time, while `hasRoom()` says there is room. */
    admit(hasRoom: () => boolean): void;
    failAll(error: Error): void;
}
