import { type Logger } from 'pino';
import { TypedEmitter, type SupervisorEvents } from './events.js';
import { type MapResult } from './map.js';
import { type ResolvedOptions, type SupervisorOptions } from './options.js';
import type { DefaultHandlerName, PayloadOf, RunHandlerName, RunResult, StreamChunk, StreamHandlerName, TypedMapOptions, TypedRunOptions } from './typed.js';
import type { TimingStats } from './timings.js';
import type { WorkerHandle } from './worker-handle.js';
export type SupervisorState = 'starting' | 'running' | 'draining' | 'stopping' | 'closed' | 'failed';
export interface SupervisorStats {
    /** Live worker processes (starting, ready, draining or stopping). */
    workers: number;
    ready: number;
    starting: number;
    draining: number;
    /** Jobs waiting for a worker. */
    queued: number;
    /** Jobs running on a worker. */
    inFlight: number;
    completed: number;
    failed: number;
    /** Re-dispatches after a worker ended mid-job. */
    retried: number;
    /** Workers replaced after an exit the supervisor did not order. */
    restarts: number;
    /** Workers replaced by recycling (maxJobsPerWorker, maxMemory). */
    recycled: number;
    state: SupervisorState;
    /** Wait and run time percentiles and pool utilisation over the last 1,024 jobs. */
    timing: TimingStats;
}
/** One live worker, as its last heartbeat described it. */
export interface WorkerStats {
    workerId: number;
    pid: number | undefined;
    state: WorkerHandle['state'];
    /** Jobs running on it now. */
    inFlight: number;
    /** Jobs it was given since it started. */
    jobs: number;
    /** Resident set size from its last heartbeat, bytes (0 before the first). */
    rss: number;
    /** Mean event-loop delay over its last heartbeat interval, ms. */
    loopDelay: number;
    /** ms since its last heartbeat. */
    silentFor: number;
}
export interface JobOutcome<T> {
    result: T;
    jobId: number;
    /** pid of the worker process that answered. */
    pid: number | undefined;
    /** 1, or more when the job was re-dispatched after a worker died. */
    attempts: number;
}
export interface CloseOptions {
    /** ms to wait for queued and in-flight jobs; the rest are then rejected and workers stopped. @default drainTimeout */
    timeout?: number;
}
/** Internal extension points for modes built on the supervisor (`serve`); not part of the public options. */
export interface SupervisorHooks {
    /** Give every worker a Node IPC channel beside its fd-3 job channel. */
    ipc?: boolean;
    /** Called with each worker right after it is spawned. */
    onSpawn?: (worker: WorkerHandle) => void;
}
/**
 * `Module` is the type of the worker module, `typeof import('./worker.js')`, for typed `run`, `runDetailed` and
 * `map` calls (see `typed.ts`). Without it (`any`, the default, or `unknown`) they are untyped; the default is
 * `any` so that a typed supervisor is still assignable to a plain `Supervisor`.
 */
export declare class Supervisor<Module = any> extends TypedEmitter<SupervisorEvents> {
    readonly options: ResolvedOptions;
    readonly log: Logger;
    private readonly life;
    /** New jobs are taken (starting or running); kept as a field because every run() asks. */
    private accepting;
    private readonly pool;
    private readonly jobs;
    private readonly concurrencyFollowsSize;
    private failureError;
    private closing;
    private reloading;
    /** Per-job options when run() is given none; shared, never mutated. */
    private readonly defaultRunOptions;
    /** This supervisor's private directory of compiled TypeScript modules, removed when it closes. */
    private readonly compiled;
    constructor(options: SupervisorOptions, hooks?: SupervisorHooks);
    get state(): SupervisorState;
    /** The error that put the supervisor in the failed state (crash loop, boot failure). */
    get failure(): Error | undefined;
    /**
     * Runs one job and resolves with the handler's result. Untyped, `run<T>()` says what the result is; with a
     * `Module` type, the handler `name`, its payload and its result type come from the worker module.
     */
    run<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(payload: NoInfer<PayloadOf<Module, Name>>, options?: TypedRunOptions<Module, Name>): Promise<RunResult<Module, Name, T>>;
    /** run() with options already validated: map() validates once for all its jobs. */
    private runResolved;
    /** Like `run()`, but resolves with the result plus which job and worker process it was. */
    runDetailed<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(payload: NoInfer<PayloadOf<Module, Name>>, options?: TypedRunOptions<Module, Name>): Promise<JobOutcome<RunResult<Module, Name, T>>>;
    /**
     * Runs a generator handler (an `async function*`) and yields its chunks as
     * they come. Backpressure is credit-based: the worker never has more than
     * 16 chunks (or 4 MiB) unread by you in flight, so a slow consumer pauses the
     * generator instead of filling memory. Breaking out of the loop cancels the
     * job (its `ctx.signal` aborts). The generator's return value is not
     * yielded. A stream that has produced chunks is not retried if its worker
     * dies: it fails with a WorkerCrashError saying how many chunks got through.
     */
    stream<T = unknown, Name extends StreamHandlerName<Module> = DefaultHandlerName<Module, StreamHandlerName<Module>>>(payload: NoInfer<PayloadOf<Module, Name>>, options?: TypedRunOptions<Module, Name>): AsyncGenerator<StreamChunk<Module, Name, T>, void, undefined>;
    private readStream;
    /**
     * Runs a job per input and yields results in input order. Memory stays
     * bounded: only a window of jobs is in flight, whatever the input size.
     * With `settle: true` it yields `{ ok, value | error }` instead of throwing.
     */
    map<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(inputs: Iterable<NoInfer<PayloadOf<Module, Name>>> | AsyncIterable<NoInfer<PayloadOf<Module, Name>>>, options?: TypedMapOptions<Module, Name> & {
        settle?: false;
    }): AsyncGenerator<RunResult<Module, Name, T>>;
    map<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(inputs: Iterable<NoInfer<PayloadOf<Module, Name>>> | AsyncIterable<NoInfer<PayloadOf<Module, Name>>>, options: TypedMapOptions<Module, Name> & {
        settle: true;
    }): AsyncGenerator<MapResult<RunResult<Module, Name, T>>>;
    /** Each live worker: its state, load, and what its last heartbeat said (RSS, event-loop delay). */
    workerStats(): WorkerStats[];
    stats(): SupervisorStats;
    /** Resolves when no job is queued or running. */
    onIdle(): Promise<void>;
    /** Resolves when `count` workers (default: the pool size) are ready. */
    ready(count?: number): Promise<void>;
    /** Changes the pool size; extra workers finish their jobs (within drainTimeout) before they exit. */
    resize(workers: number): void;
    /** Jobs the pool can run at once at its target size: workers × perWorker, or less when `concurrency` caps it. */
    get capacity(): number;
    private updateFastPath;
    /**
     * Rolling restart: each worker in turn is replaced by a fresh one, which is
     * ready before the old one stops taking jobs. No job fails or is lost.
     * Calls made while one is under way share it.
     */
    reload(): Promise<void>;
    private reloadNow;
    /** Waits until a replacement is ready (undefined) or has ended (the error that says why). */
    private waitReplacement;
    /**
     * Graceful shutdown: takes no new jobs, finishes queued and in-flight ones
     * (for up to `timeout`, by default `drainTimeout`; the rest are then
     * rejected), sends every worker a shutdown frame and waits for it to exit,
     * killing those that do not within `killGrace`.
     */
    close(options?: CloseOptions): Promise<void>;
    /** Rejects everything pending and kills the workers (and their process groups) at once. */
    destroy(error?: Error): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
    private closeNow;
    private finish;
    /** What the jobs of a dead worker get instead of a retry: the failure, or a closed error once nothing will run them. */
    private orphanFailure;
    /** Emits an event; a listener that throws is logged, and cannot break the supervisor's own bookkeeping. */
    private emitSafe;
    /** Compiles a TypeScript module once for all workers; JavaScript modules are loaded as they are. */
    private prepareModule;
    /** A module that does not compile: no worker could ever start. */
    private compileFailure;
    /** Enters the failed state: every pending job rejects with `error`, workers are stopped. */
    private fail;
}
/**
 * Creates a supervisor and starts its workers. Give it the worker module's type,
 * `createSupervisor<typeof import('./workers/resize.js')>(…)`, for typed jobs.
 */
export declare function createSupervisor<Module = any>(options: SupervisorOptions): Supervisor<Module>;
