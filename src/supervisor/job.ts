// One job's life in the supervisor: its encoded payload, its attempts, its progress, and the promise that settles exactly once.
import { JOB_HAS_INPUT, jobPrefix } from '../protocol/index.js';
import type { ResolvedRunOptions } from './options.js';
import type { WorkerHandle } from './worker-handle.js';

export class Job {
  /** Attempts dispatched so far (1 after the first dispatch). */
  attempts = 0;
  /** Workers that ended while running this job. */
  crashes = 0;
  /** The worker running the current attempt. */
  worker: WorkerHandle | undefined;
  /** pid of the worker that answered. */
  servedBy: number | undefined;
  settled = false;
  timer: NodeJS.Timeout | undefined;
  /** performance.now() at submission, and at the dispatch of the latest attempt (0 before the first). */
  readonly queuedAt = performance.now();
  dispatchedAt = 0;
  private resolveFn!: (value: unknown) => void;
  private rejectFn!: (error: Error) => void;
  readonly promise: Promise<unknown>;
  /** Called after the job settles, once; the supervisor's bookkeeping hook. */
  onSettled: ((job: Job, ok: boolean, value: unknown) => void) | undefined;
  /** Called with each progress value as it arrives (the `job:progress` event). */
  onProgressEvent: ((job: Job, value: unknown) => void) | undefined;
  /** Ends the job's p-queue task, freeing its concurrency slot. */
  taskDone: (() => void) | undefined;
  /** The caller's onProgress is still working on an earlier value (it returned a promise). */
  private progressBusy = false;
  /** The latest value that arrived while it was busy; earlier ones were replaced. */
  private progressNext: { value: unknown; attempt: number } | undefined;
  /** The settlement, held back until the caller has seen the last progress value. */
  private deferredSettle: (() => void) | undefined;
  /** Chunks received from the generator; once one reached the caller (stream() or onChunk), the job is no longer retried. */
  chunksReceived = 0;
  /** Chunks the caller has taken from stream(). */
  chunksDelivered = 0;
  /** Chunks of the current attempt credited back to its worker. */
  chunksCredited = 0;
  /** stream(): chunks waiting for the caller (at most the credit window). Undefined for run(), which drops chunks. */
  chunks: unknown[] | undefined;
  /** Input chunks read from the caller's source; once any was, it cannot be replayed and the job is not retried. */
  inputSent = 0;
  /** The caller's input source, opened once. */
  inputIterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
  /** Input chunks the current worker may still be sent. */
  inputCredits = 0;
  /** Wakes the input pump waiting for credit. */
  onInputCredit: (() => void) | undefined;
  /** Wakes the stream() consumer waiting for a chunk or the end. */
  private wake: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly enc: number,
    /** The encoded payload: bytes, or JSON text. Encoded once, reused by retries. */
    readonly data: Uint8Array | string,
    /** Handler name, attempt and meta, as the job frame carries them; rebuilt for each retry. */
    public prefix: Buffer,
    readonly options: ResolvedRunOptions,
  ) {
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /** Counts a dispatch; a retry's frame says which attempt it is. */
  nextAttempt(): void {
    this.attempts++;
    this.dispatchedAt = performance.now();
    if (this.attempts > 1) this.prefix = jobPrefix(this.name, this.attempts, this.options.meta, this.options.input ? JOB_HAS_INPUT : 0);
  }

  /** A progress value from the worker running the current attempt. */
  progress(value: unknown): void {
    if (this.settled) return;
    this.onProgressEvent?.(this, value);
    if (!this.options.onProgress) return;
    if (this.progressBusy) this.progressNext = { value, attempt: this.attempts };
    else this.deliverProgress(value, this.attempts);
  }

  /** Calls the caller's onProgress; if it returns a promise, later values wait (latest wins), and so does the settlement. */
  private deliverProgress(value: unknown, attempt: number): void {
    let pending: unknown;
    try {
      pending = this.options.onProgress!(value, { jobId: this.id, attempt });
    } catch {
      // the caller's callback failing is the caller's business; the job goes on
      return;
    }
    if (pending === null || typeof pending !== 'object' || typeof (pending as PromiseLike<void>).then !== 'function') return;
    this.progressBusy = true;
    const next = () => {
      this.progressBusy = false;
      const queued = this.progressNext;
      this.progressNext = undefined;
      if (queued) return this.deliverProgress(queued.value, queued.attempt);
      const settle = this.deferredSettle;
      this.deferredSettle = undefined;
      settle?.();
    };
    (pending as PromiseLike<void>).then(next, next);
  }

  /** A chunk from the current attempt's generator. Returns false when nobody keeps it (run()), so the caller credits it back at once. */
  chunk(value: unknown, credit: () => void): void {
    this.chunksReceived++;
    if (this.settled) return credit();
    if (this.chunks) {
      this.chunks.push(value);
      this.wakeConsumer();
      return;
    }
    const { onChunk } = this.options;
    if (!onChunk) return credit();
    // run() with onChunk: the worker may send the next once the callback is done with this one
    let pending: unknown;
    try {
      pending = onChunk(value, { jobId: this.id, attempt: this.attempts });
    } catch {
      return credit();
    }
    if (pending !== null && typeof pending === 'object' && typeof (pending as PromiseLike<void>).then === 'function') {
      (pending as PromiseLike<void>).then(credit, credit);
    } else {
      credit();
    }
  }

  /** Resolves when a chunk is waiting or the job has settled. */
  nextChunk(): Promise<void> {
    if ((this.chunks && this.chunks.length > 0) || this.settled) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  private wakeConsumer(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves the job unless it already settled; returns whether this call settled it. */
  resolve(value: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.clearTimer();
    this.settleAfterProgress(() => this.resolveFn(value));
    this.wakeConsumer();
    this.onInputCredit?.();
    // free the concurrency slot first: the settle hook emits events, and a throwing listener must not leak the slot
    this.taskDone?.();
    this.onSettled?.(this, true, value);
    return true;
  }

  /** Rejects the job unless it already settled; returns whether this call settled it. */
  reject(error: Error): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.clearTimer();
    this.settleAfterProgress(() => this.rejectFn(error));
    this.wakeConsumer();
    this.onInputCredit?.();
    this.taskDone?.();
    this.onSettled?.(this, false, error);
    return true;
  }

  /** Settles now, or once the caller's onProgress has seen the last value. */
  private settleAfterProgress(settle: () => void): void {
    if (this.progressBusy) this.deferredSettle = settle;
    else settle();
  }

  /** Frees the job's concurrency slot early (its worker is draining); a retry takes a new one. */
  releaseSlot(): void {
    const done = this.taskDone;
    this.taskDone = undefined;
    done?.();
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
