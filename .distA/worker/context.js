import { PayloadError } from '../errors.js';
import { SentChunks, STREAM_WINDOW } from '../protocol/index.js';
import { NO_INPUT } from './input.js';
export class Context {
    jobId;
    attempt;
    metaText;
    rootLog;
    outbox;
    controller;
    logger;
    abortReason;
    metaValue;
    metaParsed = false;
    /** The latest progress value not yet sent; earlier ones it replaced were never sent. */
    pendingProgress;
    /** Chunks a generator handler may still send before the caller takes some (credit-based backpressure). */
    credits = STREAM_WINDOW;
    /** The chunks sent and not yet taken, for the byte window. */
    unread = new SentChunks();
    /** Wakes a generator handler waiting for credit. */
    onCredit;
    /** The job's input stream, when the caller gave one. */
    inputQueue;
    constructor(jobId, attempt, metaText, rootLog, outbox) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.metaText = metaText;
        this.rootLog = rootLog;
        this.outbox = outbox;
    }
    get signal() {
        if (!this.controller) {
            this.controller = new AbortController();
            if (this.abortReason)
                this.controller.abort(this.abortReason);
        }
        return this.controller.signal;
    }
    get log() {
        return (this.logger ??= this.rootLog().child({ jobId: this.jobId }));
    }
    /** The caller's `input`, chunk by chunk; ends at once for a job given none. */
    get input() {
        return this.inputQueue ?? NO_INPUT;
    }
    get meta() {
        if (!this.metaParsed) {
            this.metaParsed = true;
            this.metaValue = this.metaText === undefined ? undefined : JSON.parse(this.metaText);
        }
        return this.metaValue;
    }
    /**
     * Reports progress. Latest wins: calls made before the runtime's next send
     * replace each other, so a tight loop of updates costs one frame per turn of
     * the event loop, and only the value sent is encoded. A function or symbol
     * throws a PayloadError here; a value that turns out not to travel when it is
     * sent is reported on stderr and dropped.
     */
    progress(value) {
        if (typeof value === 'function' || typeof value === 'symbol') {
            throw new PayloadError(`Cannot send a ${typeof value} as progress: only data can cross the channel`);
        }
        if (this.pendingProgress === undefined) {
            this.pendingProgress = { value };
            this.outbox.post(this);
        }
        else {
            this.pendingProgress.value = value;
        }
    }
    /** Aborts the signal (now, or when it is first read). */
    abort(reason) {
        if (this.abortReason)
            return;
        this.abortReason = reason;
        this.controller?.abort(reason);
        this.onCredit?.();
    }
    get aborted() {
        return this.abortReason !== undefined;
    }
}
//# sourceMappingURL=context.js.map