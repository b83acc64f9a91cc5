import { SentChunks } from '../protocol/index.js';
import type { ResolvedRunOptions } from './options.js';
import type { WorkerHandle } from './worker-handle.js';
/** What a job reports to the supervisor's job board. */
export interface JobHooks {
    /** After the job settles, once. */
    settled(job: Job, ok: boolean, value: unknown): void;
    /** Each progress value as it arrives (the `job:progress` event). */
    progress(job: Job, value: unknown): void;
}
/** The state of a job's conversation: coalesced progress, its output stream, its input. */
export declare class JobFlow {
    /** The caller's onProgress is still working on an earlier value (it returned a promise). */
    progressBusy: boolean;
    /** The latest value that arrived while it was busy; earlier ones were replaced. */
    progressNext: {
        value: unknown;
        attempt: number;
    } | undefined;
    /** The settlement, held back until the caller has seen the last progress value. */
    deferredSettle: (() => void) | undefined;
    /** Chunks received from the generator; once one reached the caller (stream() or onChunk), the job is no longer retried. */
    chunksReceived: number;
    /** Chunks the caller has taken from stream(). */
    chunksDelivered: number;
    /** Chunks of the current attempt credited back to its worker. */
    chunksCredited: number;
    /** stream(): chunks waiting for the caller (at most the credit window). Undefined for run(). */
    chunks: unknown[] | undefined;
    /** Wakes the stream() consumer waiting for a chunk or the end. */
    wake: (() => void) | undefined;
    /** Input chunks read from the caller's source; once any was, it cannot be replayed and the job is not retried. */
    inputSent: number;
    /** The caller's input source, opened once. */
    inputIterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
    /** Input chunks the current worker may still be sent. */
    inputCredits: number;
    /** Input chunks sent to the current worker and not yet taken, for the byte window. */
    inputUnread: SentChunks;
    /** Wakes the input pump waiting for credit. */
    onInputCredit: (() => void) | undefined;
    /** Whether running the job again would repeat chunks the caller already got, or need input already read. */
    cannotReplay(onChunk: unknown): boolean;
    /** Chunks that reached (or are waiting for) the caller, for crash reports; undefined when chunks are dropped. */
    chunksThrough(onChunk: unknown): number | undefined;
}
export declare class Job {
    readonly id: number;
    readonly name: string;
    readonly enc: number;
    /** The encoded payload: bytes, or JSON text. Encoded once, reused by retries. */
    readonly data: Uint8Array | string;
    /** Handler name, attempt and meta, as the job frame carries them; rebuilt for each retry. */
    prefix: Buffer;
    readonly options: ResolvedRunOptions;
    /** Attempts dispatched so far (1 after the first dispatch). */
    attempts: number;
    /** Workers that ended while running this job. */
    crashes: number;
    /** The worker running the current attempt. */
    worker: WorkerHandle | undefined;
    /** pid of the worker that answered. */
    servedBy: number | undefined;
    settled: boolean;
    timer: NodeJS.Timeout | undefined;
    /** performance.now() at submission (0: this job is not timed), and at the dispatch of its latest attempt. */
    queuedAt: number;
    dispatchedAt: number;
    /** How many jobs this one's timing stands for in stats() (sampling). */
    timingWeight: number;
    private resolveFn;
    private rejectFn;
    readonly promise: Promise<unknown>;
    /** The supervisor's bookkeeping hooks, one object shared by every job. */
    hooks: JobHooks | undefined;
    /** Ends the job's p-queue task, freeing its concurrency slot. */
    taskDone: (() => void) | undefined;
    /** Progress, stream and input state, made only for jobs that use them: most jobs stay small. */
    flowState: JobFlow | undefined;
    constructor(id: number, name: string, enc: number, 
    /** The encoded payload: bytes, or JSON text. Encoded once, reused by retries. */
    data: Uint8Array | string, 
    /** Handler name, attempt and meta, as the job frame carries them; rebuilt for each retry. */
    prefix: Buffer, options: ResolvedRunOptions);
    /** Counts a dispatch; a retry's frame says which attempt it is. */
    nextAttempt(): void;
    /** The job's flow state, made on first use. */
    get flow(): JobFlow;
    /** A progress value from the worker running the current attempt. */
    progress(value: unknown): void;
    /** Calls the caller's onProgress; if it returns a promise, later values wait (latest wins), and so does the settlement. */
    private deliverProgress;
    /**
     * A chunk from the current attempt's generator. stream() keeps it until its
     * reader takes it; run() hands it to onChunk and gives the worker credit
     * once that is done, or at once without onChunk.
     */
    chunk(value: unknown, from: {
        creditBack(job: Job): void;
    }): void;
    /** Resolves when a chunk is waiting or the job has settled. */
    nextChunk(): Promise<void>;
    /** Wakes whoever waits on this job's flow: the stream() reader, the input pump. */
    private wakeConsumer;
    /** Resolves the job unless it already settled; returns whether this call settled it. */
    resolve(value: unknown): boolean;
    /** Rejects the job unless it already settled; returns whether this call settled it. */
    reject(error: Error): boolean;
    /** Settles now, or once the caller's onProgress has seen the last value. */
    private settleAfterProgress;
    /** Frees the job's concurrency slot early (its worker is draining); a retry takes a new one. */
    releaseSlot(): void;
    clearTimer(): void;
}
