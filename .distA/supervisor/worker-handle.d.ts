import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { WorkerBootError } from '../errors.js';
import type { ExitFacts, StopOrder } from './exit-policy.js';
import type { Job } from './job.js';
import type { ResolvedOptions } from './options.js';
export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopping' | 'exited';
export interface WorkerExitInfo extends ExitFacts {
    /** Why it ended, for messages: `exited with exit code 1`, `was killed (signal SIGTERM): heartbeat timeout`, ... */
    reason: string;
    stderrTail: string;
    /** Set when it ended before its hello: what is known of why the module did not load. */
    bootError: WorkerBootError | undefined;
}
/** What a worker handle reports to its pool. */
export interface WorkerOwner {
    readonly log: Logger;
    onReady(worker: WorkerHandle): void;
    /** A job finished on this worker, or an abandoned job's late reply arrived: a slot is free. */
    onSlotFreed(): void;
    onHeartbeat(worker: WorkerHandle): void;
    onExit(worker: WorkerHandle, info: WorkerExitInfo): void;
}
export declare class WorkerHandle {
    readonly id: number;
    private readonly owner;
    private readonly options;
    /** Jobs after which this worker is recycled (maxJobsPerWorker with jitter). */
    readonly jobLimit: number;
    private readonly life;
    private markReady;
    private markExited;
    /** Resolves when the worker becomes ready (never, if it ends first). */
    readonly readied: Promise<void>;
    /** Resolves when the worker has exited and been reaped. */
    readonly exited: Promise<void>;
    readonly inFlight: Map<number, Job>;
    /** Jobs settled here (timed out, cancelled) whose reply has not come yet; they still occupy a slot. */
    readonly abandoned: Map<number, NodeJS.Timeout | undefined>;
    pid: number | undefined;
    jobsStarted: number;
    rss: number;
    loopDelay: number;
    lastBeat: number;
    readonly startedAt: number;
    /** Why the supervisor stopped this worker, if it did; the first order wins. */
    order: StopOrder | undefined;
    private orderReason;
    /** A replacement is starting for this worker (recycling); it keeps serving until that one is ready. */
    replacedBy: WorkerHandle | undefined;
    /** The worker this one was started to replace. */
    replaces: WorkerHandle | undefined;
    /** How the worker being replaced is to be stopped once its replacement is ready. */
    replaceOrder: {
        order: 'recycle' | 'reload';
        reason: string;
    } | undefined;
    private bootError;
    private spawnError;
    private keepProcessGroup;
    /** A kill was ordered (not only a drain). */
    private killed;
    private readonly tail;
    private readonly spawned;
    private readonly writer;
    private readonly decoder;
    private readonly log;
    private killTimer;
    /** The hello arrived: the module loaded. */
    private greeted;
    /** A protocol error was seen; nothing more from this channel is trusted. */
    private broken;
    private readonly onFrameBound;
    constructor(id: number, owner: WorkerOwner, options: ResolvedOptions, 
    /** Jobs after which this worker is recycled (maxJobsPerWorker with jitter). */
    jobLimit: number, 
    /** The module the worker loads: the user's, or its compiled JavaScript. */
    module: {
        url: string;
        execArgv: string[];
    }, 
    /** Serve mode: spawn with a Node IPC channel beside the fd-3 channel. */
    ipc?: boolean);
    get state(): WorkerState;
    private onMove;
    /** When the worker entered its current state (ms since the epoch). */
    get stateSince(): number;
    /** Jobs occupying this worker's slots. */
    get load(): number;
    /** The child process (serve mode passes connections over its IPC channel). */
    get child(): ChildProcess;
    get stderrTail(): string;
    /** Sends a job; the caller checked that the worker is ready and has a free slot. */
    send(job: Job): void;
    /**
     * Gives up on a job that was settled elsewhere (timeout, cancel): the worker
     * is told to abort it, and gets `killGrace` ms to reply before it is killed.
     */
    abandon(job: Job, killGrace: number): void;
    /** Stops taking jobs and asks the worker to exit once its in-flight jobs are done. */
    drain(order: StopOrder, reason: string): void;
    /** Kills the worker and its process group: SIGTERM, then SIGKILL after `grace` ms. Its jobs are the pool's to retry. */
    kill(order: StopOrder, reason: string, grace?: number): void;
    /** Ends the worker and its process group now with SIGKILL. */
    forceKill(order: StopOrder, reason: string): void;
    /** Records why the worker is being stopped: the first reason wins, except that a kill overrides the drain it escalates. */
    private setOrder;
    /** Signals the worker's process group (it leads one), or the worker alone when its module asked to keep the group. */
    private signal;
    private wireChannel;
    private protocolError;
    private onFrame;
    /** Sends one chunk of a job's input. */
    sendInput(jobId: number, enc: number, data: Uint8Array | string): void;
    /** Ends a job's input, normally or with the error its source raised. */
    endInput(jobId: number, error?: unknown): void;
    private onInputCredit;
    /** Lets the worker send `count` more chunks of a job's stream. */
    credit(jobId: number, count: number): void;
    private onChunk;
    /** The worker may send one more chunk of this job's stream (the caller took one), if the job still runs here. */
    creditBack(job: Job): void;
    private onProgress;
    /**
     * The job a chunk or progress frame is about. A job settled here (timed
     * out, cancelled) may still report, and is ignored (undefined); a job this
     * worker was never given is a protocol error.
     */
    private runningJob;
    private onReply;
    /** Output within the worker's budget is logged line by line; beyond it, dropped and counted (see worker-output.ts). */
    private wireOutput;
    /** Logs one line of worker output; pino JSON lines from ctx.log keep their level and fields. */
    private logLine;
    private wireExit;
    private onExit;
}
