import type { Worker } from 'bullmq';
import { TypedEmitter } from '../supervisor/events.js';
import { Supervisor, type SupervisorStats } from '../supervisor/supervisor.js';
import { type QueueWorkerOptions } from './options.js';
export type QueueWorkerState = 'starting' | 'running' | 'closing' | 'closed' | 'failed';
export interface QueueWorkerEvents {
    /** The pool failed (crash loop, boot failure): fetching stopped and running jobs went back to the queue. */
    failed: [Error];
}
export interface QueueWorkerStats extends SupervisorStats {
    queueState: QueueWorkerState;
    /** BullMQ's concurrency: the queue jobs this host holds at most. */
    queueConcurrency: number;
}
export declare class QueueWorker extends TypedEmitter<QueueWorkerEvents> {
    readonly queue: string;
    readonly supervisor: Supervisor;
    /** BullMQ's Worker, once the pool is ready. */
    worker: Worker | undefined;
    private readonly resolved;
    private readonly life;
    private readonly starting;
    private readonly routedToDefault;
    private closing;
    private stopCancels;
    private failure;
    constructor(queue: string, options: QueueWorkerOptions);
    get state(): QueueWorkerState;
    /** Resolves once the pool is ready and jobs are being fetched; rejects when the pool cannot start. */
    ready(): Promise<void>;
    private start;
    /** Changes the pool size; BullMQ's concurrency follows. */
    resize(workers: number): void;
    /** Rolling restart of the pool's workers (after a code change); jobs keep running. */
    reload(): Promise<void>;
    stats(): QueueWorkerStats;
    /**
     * Stops fetching, lets running jobs finish for up to `timeout` ms (default: the pool's drainTimeout), hands the
     * rest back to the queue without spending an attempt, and stops the pool and the Redis connections.
     */
    close(options?: {
        timeout?: number;
    }): Promise<void>;
    private closeNow;
    /** Waits for BullMQ's Worker to close; every job it holds has settled by now, so only Redis can hold it up. */
    private closeWorker;
    /** The pool failed: fetch nothing more; the supervisor has rejected the running jobs, which the processor hands back. */
    private poolFailed;
}
/** Creates a queue worker: a supervisor whose jobs come from the BullMQ queue `queue`. */
export declare function createQueueWorker(queue: string, options: QueueWorkerOptions): QueueWorker;
