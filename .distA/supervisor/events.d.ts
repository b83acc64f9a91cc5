import { EventEmitter } from 'node:events';
import type { ExitCause } from './exit-policy.js';
export interface WorkerInfo {
    workerId: number;
    pid: number | undefined;
}
export interface WorkerExitEvent extends WorkerInfo {
    exitCode: number | null;
    signal: string | null;
    /** Why it ended, in words. */
    reason: string;
    /** True when the supervisor asked it to stop (recycle, reload, resize, close). */
    expected: boolean;
    /** How the exit was classified: `ordered`, `crash`, `boot-error`, `killed-while-starting` or `spawn-failed` (see the README's Supervision section). */
    cause: ExitCause['kind'];
}
export interface JobDoneEvent {
    jobId: number;
    name: string;
    ok: boolean;
    attempts: number;
    /** The worker that answered, when a worker answered. */
    workerId: number | undefined;
    /**
     * ms from submission to the dispatch of the attempt that settled it (the whole time, for a job that never ran).
     * Every job submitted while a job:done listener is attached is timed; undefined for one submitted before.
     */
    waitMs: number | undefined;
    /** ms from that dispatch to the answer (0 for a job that never ran); undefined when not timed. */
    runMs: number | undefined;
    error: Error | undefined;
}
export interface JobProgressEvent {
    jobId: number;
    name: string;
    /** The attempt that reported it. */
    attempt: number;
    value: unknown;
}
export interface SupervisorEvents {
    'worker:spawn': [WorkerInfo];
    'worker:ready': [WorkerInfo];
    'worker:exit': [WorkerExitEvent];
    'worker:recycle': [WorkerInfo & {
        reason: string;
    }];
    'job:done': [JobDoneEvent];
    /** A running job reported progress (`ctx.progress`). */
    'job:progress': [JobProgressEvent];
    /** resize() changed the pool's target size; `capacity` is the jobs it can now run at once (for modes that feed the pool from outside, such as `supervise/bullmq`). */
    resize: [{
        workers: number;
        capacity: number;
    }];
    /** The supervisor gave up (crash loop, boot failure); every pending job was rejected with this error. */
    failed: [Error];
    /** The supervisor started stopping its workers (close, destroy); it takes no new jobs. */
    close: [];
}
/** EventEmitter whose on/once/off/emit are checked against an event map. */
export declare class TypedEmitter<Events extends {
    [K in keyof Events]: unknown[];
}> extends EventEmitter {
    on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this;
    once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this;
    off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this;
    emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean;
}
