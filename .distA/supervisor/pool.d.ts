import type { Logger } from 'pino';
import { CrashLoopError, type UnsafeCacheDirError } from '../errors.js';
import type { PreparedModule } from './compile.js';
import { type ExitCause, type StopOrder } from './exit-policy.js';
import type { SupervisorEvents } from './events.js';
import type { Job } from './job.js';
import type { ResolvedOptions } from './options.js';
import { WorkerHandle, type WorkerExitInfo, type WorkerOwner } from './worker-handle.js';
/** What the pool needs from the supervisor that owns it. */
export interface PoolHost {
    readonly log: Logger;
    emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void;
    /** A worker became ready or a slot freed: parked jobs can go. */
    pump(): void;
    /** A worker said hello. */
    onReady(worker: WorkerHandle): void;
    /** A worker stopped taking jobs: its jobs no longer hold slots of the overall concurrency. */
    onDraining(worker: WorkerHandle): void;
    /** A worker ended with these jobs unanswered. */
    onOrphans(jobs: Job[], worker: WorkerHandle, exit: WorkerExitInfo, cause: ExitCause): void;
    /** The exit policy gave up on the pool, or the compiled module can no longer be trusted. */
    onFailed(error: CrashLoopError | UnsafeCacheDirError): void;
    /** Serve mode: called with each worker right after it is spawned. */
    onSpawn?(worker: WorkerHandle): void;
}
export declare class Pool implements WorkerOwner {
    private readonly host;
    private readonly options;
    /** What workers load; set once the module is compiled. */
    module: PreparedModule | undefined;
    private readonly ipc;
    readonly workers: Set<WorkerHandle>;
    target: number;
    /** No spawns, no restarts: the supervisor is stopping or failed. */
    stopped: boolean;
    everReady: boolean;
    restarts: number;
    recycled: number;
    private history;
    private readonly restartTimers;
    /** Recycles to try again after a replacement failed to start. */
    private readonly retryTimers;
    private nextWorkerId;
    private readonly murderTimer;
    constructor(host: PoolHost, options: ResolvedOptions, 
    /** What workers load; set once the module is compiled. */
    module: PreparedModule | undefined, ipc: boolean);
    get log(): Logger;
    count(state: WorkerHandle['state']): number;
    /** Spawns or retires workers until the pool matches its target size. */
    manage(): void;
    /** Starts a worker; undefined when the module it would load failed its check (the supervisor then fails). */
    spawn(): WorkerHandle | undefined;
    /** Stops sending a worker jobs and lets it exit after its in-flight ones (within drainTimeout). */
    retire(worker: WorkerHandle, order: StopOrder, reason: string): void;
    /**
     * Starts a replacement for `worker`; the old one keeps serving until the
     * replacement is ready, then drains. No capacity dip. Returns the
     * replacement, or undefined when one is already starting.
     */
    replace(worker: WorkerHandle, order: 'recycle' | 'reload', reason: string): WorkerHandle | undefined;
    /** Recycles a worker (maxJobsPerWorker, maxMemory) through a replacement. */
    recycle(worker: WorkerHandle, reason: string): void;
    /**
     * A replacement died before it was ready. A reload tries again itself; a
     * recycle is tried again after `delay`, since the old worker may never be
     * given another job to trigger it (all its slots held by hung jobs).
     */
    private retryRecycle;
    private murder;
    onExit(worker: WorkerHandle, exit: WorkerExitInfo): void;
    /** Applies the exit policy's decision: replace now, replace after a backoff, or fail the pool; returns the delay, if any. */
    private decide;
    /** Forgets the replacement links of a worker that ended. */
    private unlink;
    onReady(worker: WorkerHandle): void;
    onSlotFreed(): void;
    onHeartbeat(worker: WorkerHandle): void;
    /** No more spawns or restarts. */
    halt(): void;
    /**
     * Stops every worker: a shutdown frame (or SIGKILL at once when `grace` is
     * 0), then SIGKILL for any still alive after `grace` ms. Resolves when all
     * have exited.
     */
    stopAll(order: StopOrder, grace: number): Promise<void>;
    /** Kills every worker now (the pool failed). */
    killAll(order: StopOrder, reason: string): void;
    dispose(): void;
}
