import type { Logger } from 'pino';
/** What every handler receives besides its payload. */
export interface JobContext {
    /** The job's id, unique within the supervisor. */
    readonly jobId: number;
    /** Aborts when the job is cancelled or times out; pass it to fetch, timers, streams. */
    readonly signal: AbortSignal;
    /** A pino logger bound to this worker and job. */
    readonly log: Logger;
    /** 1 for the first attempt, 2 for the first retry after a worker died, ...: with `jobId`, an idempotency key. */
    readonly attempt: number;
    /** The `meta` given to `run(payload, { meta })` (small JSON), the same on every attempt; undefined when none. */
    readonly meta: unknown;
    /**
     * Reports progress to the caller (`onProgress`, `job:progress`). Any value a
     * payload can be. Latest wins: updates made faster than they can be sent
     * replace each other, and the last one always arrives before the result.
     * Bytes are read when the update is sent, at the end of the current turn of
     * the event loop: pass a copy of a buffer you will reuse.
     */
    progress(value: unknown): void;
    /**
     * The caller's `input` (run or stream with `{ input }`), chunk by chunk, with
     * backpressure: the caller's source is read only as fast as this is. Bytes
     * stay bytes. Ends at once for a job given no input. Read it once.
     */
    readonly input: AsyncIterable<unknown>;
}
/** A job handler: the default export of a worker module, or any named function export. */
export type Handler<In = any, Out = unknown> = (payload: In, ctx: JobContext) => Out | Promise<Out>;
/** Settings the supervisor passes to a worker process. */
export interface WorkerConfig {
    /** File URL of the worker module. */
    module: string;
    workerId: number;
    heartbeatInterval: number;
    maxFrameSize: number;
    logLevel: string;
}
