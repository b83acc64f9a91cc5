import PQueue from 'p-queue';
import type { Job } from './job.js';
import type { WorkerHandle } from './worker-handle.js';
export declare class Dispatcher {
    private readonly workers;
    private readonly perWorker;
    private readonly dispatch;
    readonly queue: PQueue;
    private waiting;
    private waitingHead;
    /** Jobs dispatched by the fast path and not yet settled. */
    private direct;
    /** Whether the worker slots, not `concurrency`, bound the jobs in flight. */
    fastPath: boolean;
    private readonly directDone;
    constructor(workers: Iterable<WorkerHandle>, perWorker: number, concurrency: number, dispatch: (job: Job, worker: WorkerHandle) => void);
    /** Jobs queued in p-queue plus jobs started but waiting for a worker slot. */
    get queued(): number;
    /** Adds a job; it runs now if it can, otherwise its p-queue task lasts until the job settles. */
    submit(job: Job): void;
    /** Sends the job to a worker now, or parks it until a slot frees up. */
    schedule(job: Job): void;
    /** Runs a job again after its worker ended: in its own slot if it still holds one, otherwise through the queue. */
    retry(job: Job): void;
    /** Forgets a parked job that settled without running (cancelled); rare, so a linear search is fine. */
    unpark(job: Job): void;
    /** Forgets every parked job (they were all rejected). */
    clearParked(): void;
    /** Hands parked jobs to free slots; called whenever a slot frees or a worker becomes ready. */
    pump(): void;
    /** The least-loaded ready worker with a free slot. */
    private pick;
}
