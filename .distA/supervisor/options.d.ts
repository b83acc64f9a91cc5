import type { Logger } from 'pino';
export type QueueFullBehavior = 'reject' | 'wait';
export interface SupervisorOptions {
    /** Worker module: a path (relative to the current directory) or a file URL. */
    worker: string | URL;
    /** Number of worker processes. @default the number of CPUs */
    workers?: number;
    /** Jobs in flight per worker. @default 1 */
    perWorker?: number;
    /** Jobs in flight overall. @default workers × perWorker */
    concurrency?: number;
    /** Times a job is re-dispatched after its worker died mid-job. Jobs must be safe to repeat. @default 2 */
    retries?: number;
    /** Per-attempt time limit in ms, from dispatch to result; 0 means none. @default 0 */
    timeout?: number;
    /** After a timeout or cancel, ms a handler gets to yield before its worker is killed and replaced. @default 1000 */
    killGrace?: number;
    /** ms between worker heartbeats; 0 disables heartbeats and the blocked-loop check. @default 1000 */
    heartbeatInterval?: number;
    /** A worker silent for this many ms (blocked event loop) is killed and replaced. @default 10000 */
    heartbeatTimeout?: number;
    /** A worker that has not loaded its module and said hello within this many ms is killed (a boot failure). @default 60000 */
    startTimeout?: number;
    /**
     * A worker draining (recycle, reload, resize, close) that still has not exited after this many ms is killed,
     * and its unfinished jobs are retried elsewhere or rejected. Also the default bound of `close()`. @default 30000
     */
    drainTimeout?: number;
    /** More crashes that no job can be blamed for (a worker dying idle or while starting) than this within `restartWindow` fails the supervisor. @default 10 */
    maxRestarts?: number;
    /** The window for `maxRestarts`, ms. @default 60000 */
    restartWindow?: number;
    /** First restart delay, ms; doubles for each consecutive crash. @default 100 */
    restartDelay?: number;
    /** Upper bound of the restart delay, ms. @default 5000 */
    maxRestartDelay?: number;
    /** Recycle a worker after about this many jobs (±10% jitter). @default Infinity */
    maxJobsPerWorker?: number;
    /** Recycle a worker whose RSS (from its heartbeat) exceeds this many bytes. @default Infinity */
    maxMemory?: number;
    /** Most jobs waiting in the queue. @default Infinity */
    maxQueue?: number;
    /** What `run()` does when the queue is full: reject with ERR_QUEUE_FULL, or wait for room. @default 'reject' */
    queueFull?: QueueFullBehavior;
    /** Largest frame accepted on the channel, bytes. @default 64 MiB */
    maxFrameSize?: number;
    /** A pino logger to log to; worker output is logged through it too. */
    logger?: Logger;
    /** Level of the default logger (when `logger` is not given). @default 'info' */
    logLevel?: string;
    /** Extra environment variables for workers. */
    env?: Record<string, string | undefined>;
    /** Node flags for workers. @default [] */
    execArgv?: string[];
    /** Working directory of workers. @default process.cwd() */
    cwd?: string;
}
export interface ResolvedOptions extends Required<Omit<SupervisorOptions, 'worker' | 'logger' | 'env' | 'cwd'>> {
    /** File URL of the worker module. */
    worker: string;
    /** Path of the worker module, for messages. */
    workerPath: string;
    logger: Logger | undefined;
    env: Record<string, string | undefined>;
    cwd: string;
}
export declare const LOG_LEVELS: string[];
/** Throws the standard option message. */
export declare function invalid(name: string, expected: string, value: unknown): never;
export declare function integerOption(name: string, value: unknown, min: number, fallback: number, allowInfinity?: boolean): number;
/** Resolves the worker option to a file URL; relative paths resolve against `base` (the current directory). */
export declare function resolveWorker(value: unknown, base?: string): {
    url: string;
    path: string;
};
/** Validates and defaults all options; the only place that knows option rules. */
export declare function resolveOptions(options: SupervisorOptions): ResolvedOptions;
export interface RunOptions {
    /** Handler to call: a named export of the worker module. @default 'default' */
    name?: string;
    /** Cancels the job: removed from the queue, or ctx.signal aborted in the worker. */
    signal?: AbortSignal;
    /** Overrides the supervisor's `timeout` for this job. */
    timeout?: number;
    /** Overrides the supervisor's `retries` for this job. */
    retries?: number;
    /** Small JSON data the handler reads as `ctx.meta` (an idempotency key, a trace id); sent again with every retry. */
    meta?: unknown;
    /**
     * Called with each progress value the handler reports (`ctx.progress`), in order, the last one before the job
     * settles. If it returns a promise, updates that arrive meanwhile are coalesced: only the latest is delivered next.
     */
    onProgress?: (value: unknown, info: ProgressInfo) => void | Promise<void>;
    /**
     * A stream of input the handler reads as `ctx.input`: an AsyncIterable (a Readable, an async generator) or an
     * Iterable. It is read only as fast as the handler takes it. Once any of it was sent, the job is not retried.
     */
    input?: AsyncIterable<unknown> | Iterable<unknown>;
    /**
     * For a generator handler run with run(): called with each chunk, in order. If it returns a promise, the worker
     * sends the next chunks only as it settles (the same credit window as stream()). Without it, run() drops chunks.
     */
    onChunk?: (chunk: unknown, info: ProgressInfo) => void | Promise<void>;
}
export interface ProgressInfo {
    jobId: number;
    /** The attempt that reported it: after a worker died, a retry reports from the start again. */
    attempt: number;
}
export interface ResolvedRunOptions {
    name: string;
    signal: AbortSignal | undefined;
    timeout: number;
    retries: number;
    /** `meta` as JSON text. */
    meta: string | undefined;
    onProgress: RunOptions['onProgress'];
    input: AsyncIterable<unknown> | Iterable<unknown> | undefined;
    onChunk: RunOptions['onChunk'];
}
/** Validates per-job options against the supervisor's defaults. */
export declare function resolveRunOptions(options: RunOptions | undefined, defaults: ResolvedOptions): ResolvedRunOptions;
