import { Dispatcher } from './dispatcher.js';
import type { SupervisorEvents } from './events.js';
import type { ExitCause } from './exit-policy.js';
import { Job } from './job.js';
import type { ResolvedOptions, ResolvedRunOptions } from './options.js';
import { JobTimings } from './timings.js';
import type { WorkerExitInfo, WorkerHandle } from './worker-handle.js';
export interface JobBoardHost {
    readonly log: {
        debug(obj: object, msg: string): void;
    };
    listenerCount(event: 'job:done' | 'job:progress'): number;
    emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void;
    /** Whether new jobs are taken; `admitted` jobs were accepted earlier and waited for room. */
    accepts(admitted: boolean): boolean;
    /** The error new jobs get when they are not taken. */
    refusal(): Error;
    /** A worker reached its job limit (maxJobsPerWorker). */
    onJobLimit(worker: WorkerHandle): void;
}
export declare class JobBoard {
    private readonly host;
    private readonly options;
    readonly dispatcher: Dispatcher;
    private readonly pending;
    private idleWaiters;
    private readonly roomQueue;
    private readonly hasRoom;
    private readonly enqueueAdmitted;
    private readonly jobHooks;
    private nextJobId;
    readonly counts: {
        completed: number;
        failed: number;
        retried: number;
    };
    readonly timings: JobTimings;
    private timingTick;
    constructor(host: JobBoardHost, options: ResolvedOptions, workers: Iterable<WorkerHandle>);
    get queued(): number;
    /** Validates and encodes a job, then queues it, or waits for room when the queue is full and set to wait. */
    submit(payload: unknown, runOptions: ResolvedRunOptions, stream?: boolean): Job | Promise<Job>;
    /** Queues a job; `admitted` jobs were accepted earlier and waited for room, so a graceful close still runs them. */
    private enqueue;
    private dispatch;
    /** The stream() consumer takes the next chunk; its worker may send one more. */
    take(job: Job): unknown;
    /** Ends a job early with `error` (a stream whose consumer stopped reading). */
    abort(job: Job, error: Error): void;
    /** Settles a job with `error` now; if it is running, its worker is told to abort it. */
    private cancel;
    /** A draining worker's jobs stop holding slots of the overall concurrency, so its replacement can fill them. */
    release(worker: WorkerHandle): void;
    /**
     * A worker ended with these jobs unanswered. Each is charged with the lost
     * worker; it runs again while it has attempts left, and otherwise rejects
     * with a WorkerCrashError. `failure` rejects them all instead (the pool failed).
     */
    orphaned(jobs: Job[], worker: WorkerHandle, exit: WorkerExitInfo, cause: ExitCause, failure: Error | undefined): void;
    private onJobSettled;
    /** Resolves when no job is queued, running or waiting for room. */
    onIdle(): Promise<void>;
    private resolveIdleWaiters;
    /** Rejects every job not yet answered, queued or waiting for room. */
    rejectAll(error: Error): void;
}
