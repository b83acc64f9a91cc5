import type { Logger } from 'pino';
import { SentChunks } from '../protocol/index.js';
import { type InputQueue } from './input.js';
import type { JobContext } from './types.js';
/** Where a context's latest progress value waits until the runtime sends it (once per turn of the event loop). */
export interface ProgressOutbox {
    post(ctx: Context): void;
}
export declare class Context implements JobContext {
    readonly jobId: number;
    readonly attempt: number;
    private readonly metaText;
    private readonly rootLog;
    private readonly outbox;
    private controller;
    private logger;
    private abortReason;
    private metaValue;
    private metaParsed;
    /** The latest progress value not yet sent; earlier ones it replaced were never sent. */
    pendingProgress: {
        value: unknown;
    } | undefined;
    /** Chunks a generator handler may still send before the caller takes some (credit-based backpressure). */
    credits: number;
    /** The chunks sent and not yet taken, for the byte window. */
    readonly unread: SentChunks;
    /** Wakes a generator handler waiting for credit. */
    onCredit: (() => void) | undefined;
    /** The job's input stream, when the caller gave one. */
    inputQueue: InputQueue | undefined;
    constructor(jobId: number, attempt: number, metaText: string | undefined, rootLog: () => Logger, outbox: ProgressOutbox);
    get signal(): AbortSignal;
    get log(): Logger;
    /** The caller's `input`, chunk by chunk; ends at once for a job given none. */
    get input(): AsyncIterable<unknown>;
    get meta(): unknown;
    /**
     * Reports progress. Latest wins: calls made before the runtime's next send
     * replace each other, so a tight loop of updates costs one frame per turn of
     * the event loop, and only the value sent is encoded. A function or symbol
     * throws a PayloadError here; a value that turns out not to travel when it is
     * sent is reported on stderr and dropped.
     */
    progress(value: unknown): void;
    /** Aborts the signal (now, or when it is first read). */
    abort(reason: Error): void;
    get aborted(): boolean;
}
