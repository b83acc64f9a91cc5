// One job's life in the supervisor: its encoded payload, its attempts, its progress, and the promise that settles exactly once.
import { JOB_HAS_INPUT, jobPrefix, SentChunks } from '../protocol/index.js';
import type { JobLogRecord, ResolvedRunOptions } from './options.js';
import { TASK_FAILED, TASK_OK, TASK_RUNNING, type MapTask, type TaskWatcher } from './map.js';
import type { WorkerHandle } from './worker-handle.js';

/** What a job reports to the supervisor's job board. */
export interface JobHooks {
  /** After the job settles, once. */
  settled(job: Job, ok: boolean, value: unknown): void;
  /** Each progress value as it arrives (the `job:progress` event). */
  progress(job: Job, value: unknown): void;
}

/** The state of a job's conversation: coalesced progress, its output stream, its input. */
export class JobFlow {
  /** The caller's onProgress is still working on an earlier value (it returned a promise). */
  progressBusy = false;
  /** The latest value that arrived while it was busy; earlier ones were replaced. */
  progressNext: { value: unknown; attempt: number } | undefined;
  /** The settlement, held back until the caller has seen the last progress value. */
  deferredSettle: (() => void) | undefined;
  /** Chunks received from the generator; once one reached the caller (stream() or onChunk), the job is no longer retried. */
  chunksReceived = 0;
  /** Chunks the caller has taken from stream(). */
  chunksDelivered = 0;
  /** Chunks of the current attempt credited back to its worker. */
  chunksCredited = 0;
  /** stream(): chunks waiting for the caller (at most the credit window). Undefined for run(). */
  chunks: unknown[] | undefined;
  /** Wakes the stream() consumer waiting for a chunk or the end. */
  wake: (() => void) | undefined;
  /** Input chunks read from the caller's source; once any was, it cannot be replayed and the job is not retried. */
  inputSent = 0;
  /** The caller's input source, opened once. */
  inputIterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
  /** Input chunks the current worker may still be sent. */
  inputCredits = 0;
  /** Input chunks sent to the current worker and not yet taken, for the byte window. */
  inputUnread = new SentChunks();
  /** Wakes the input pump waiting for credit. */
  onInputCredit: (() => void) | undefined;

  /** Whether running the job again would repeat chunks the caller already got, or need input already read. */
  cannotReplay(onChunk: unknown): boolean {
    return ((this.chunks !== undefined || onChunk !== undefined) && this.chunksReceived > 0) || this.inputSent > 0;
  }

  /** Chunks that reached (or are waiting for) the caller, for crash reports; undefined when chunks are dropped. */
  chunksThrough(onChunk: unknown): number | undefined {
    if (this.chunks !== undefined) return this.chunksDelivered + this.chunks.length;
    return onChunk !== undefined ? this.chunksReceived : undefined;
  }
}

export class Job implements MapTask {
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
  /** performance.now() at submission (0: this job is not timed), and at the dispatch of its latest attempt. */
  queuedAt = 0;
  dispatchedAt = 0;
  /** How many jobs this one's timing stands for in stats() (sampling). */
  timingWeight = 1;
  /** The outcome the caller sees (set once the settlement is delivered), and its value or error. */
  outcome = TASK_RUNNING;
  result: unknown;
  /** map()'s engine, while it waits for this job: told once the outcome is set. */
  watcher: TaskWatcher | undefined;
  private settledPromise: Promise<unknown> | undefined;
  private resolveFn: ((value: unknown) => void) | undefined;
  private rejectFn: ((error: unknown) => void) | undefined;
  /** The supervisor's bookkeeping hooks, one object shared by every job. */
  hooks: JobHooks | undefined;
  /** Cancels the job when its `signal` aborts; taken off the signal once the job settles. */
  onAbort: (() => void) | undefined;
  /** Ends the job's p-queue task, freeing its concurrency slot. */
  taskDone: (() => void) | undefined;
  /** Progress, stream and input state, made only for jobs that use them: most jobs stay small. */
  flowState: JobFlow | undefined;
  /** Neighbours in the job board's list of unsettled jobs (see PendingJobs). */
  prevPending: Job | undefined;
  nextPending: Job | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly enc: number,
    /** The encoded payload: bytes, or JSON text. Encoded once, reused by retries. */
    readonly data: Uint8Array | string,
    /** Handler name, attempt and meta, as the job frame carries them; rebuilt for each retry. */
    public prefix: Buffer,
    readonly options: ResolvedRunOptions,
  ) {}

  /**
   * The job's promise, made on first use: run() asks for it at once, while
   * map() reads `outcome` instead and a job it runs never makes one (a promise
   * and its two resolving functions were a good part of each job's allocations).
   */
  get promise(): Promise<unknown> {
    if (this.settledPromise) return this.settledPromise;
    if (this.outcome !== TASK_RUNNING) {
      this.settledPromise = this.outcome === TASK_OK ? Promise.resolve(this.result) : Promise.reject(this.result);
    } else {
      this.settledPromise = new Promise<unknown>((resolve, reject) => {
        this.resolveFn = resolve;
        this.rejectFn = reject;
      });
    }
    return this.settledPromise;
  }

  /** Counts a dispatch; a retry's frame says which attempt it is. */
  nextAttempt(): void {
    this.attempts++;
    if (this.queuedAt !== 0) this.dispatchedAt = performance.now();
    if (this.attempts > 1) this.prefix = jobPrefix(this.name, this.attempts, this.options.meta, this.options.input ? JOB_HAS_INPUT : 0);
  }

  /** The job's flow state, made on first use. */
  get flow(): JobFlow {
    return (this.flowState ??= new JobFlow());
  }

  /** A progress value from the worker running the current attempt. */
  progress(value: unknown): void {
    if (this.settled) return;
    this.hooks?.progress(this, value);
    if (!this.options.onProgress) return;
    const flow = this.flow;
    if (flow.progressBusy) flow.progressNext = { value, attempt: this.attempts };
    else this.deliverProgress(value, this.attempts);
  }

  /** A ctx.log record of the current attempt, for the caller's onLog. */
  deliverLog(record: Record<string, unknown>, level: JobLogRecord['level'], fields: Record<string, unknown>): void {
    const onLog = this.options.onLog;
    if (!onLog || this.settled) return;
    const { time, ...rest } = fields;
    try {
      onLog({ level, msg: record.msg === undefined ? undefined : String(record.msg), time: typeof time === 'number' ? time : undefined, fields: rest });
    } catch {
      // as with onProgress: the caller's callback failing does not touch the job
    }
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
    const flow = this.flow;
    flow.progressBusy = true;
    const next = () => {
      flow.progressBusy = false;
      const queued = flow.progressNext;
      flow.progressNext = undefined;
      if (queued) return this.deliverProgress(queued.value, queued.attempt);
      const settle = flow.deferredSettle;
      flow.deferredSettle = undefined;
      settle?.();
    };
    (pending as PromiseLike<void>).then(next, next);
  }

  /**
   * A chunk from the current attempt's generator. stream() keeps it until its
   * reader takes it; run() hands it to onChunk and gives the worker credit
   * once that is done, or at once without onChunk.
   */
  chunk(value: unknown, from: { creditBack(job: Job): void }): void {
    const flow = this.flow;
    flow.chunksReceived++;
    if (this.settled) return from.creditBack(this);
    if (flow.chunks) {
      flow.chunks.push(value);
      this.wakeConsumer();
      return;
    }
    const { onChunk } = this.options;
    if (!onChunk) return from.creditBack(this);
    // run() with onChunk: the worker may send the next once the callback is done with this one
    let pending: unknown;
    try {
      pending = onChunk(value, { jobId: this.id, attempt: this.attempts });
    } catch {
      return from.creditBack(this);
    }
    if (pending !== null && typeof pending === 'object' && typeof (pending as PromiseLike<void>).then === 'function') {
      const credit = () => from.creditBack(this);
      (pending as PromiseLike<void>).then(credit, credit);
    } else {
      from.creditBack(this);
    }
  }


  /** Resolves when a chunk is waiting or the job has settled. */
  nextChunk(): Promise<void> {
    const flow = this.flow;
    if ((flow.chunks && flow.chunks.length > 0) || this.settled) return Promise.resolve();
    return new Promise((resolve) => (flow.wake = resolve));
  }

  /** Wakes whoever waits on this job's flow: the stream() reader, the input pump. */
  private wakeConsumer(): void {
    const flow = this.flowState;
    if (!flow) return;
    const wake = flow.wake;
    flow.wake = undefined;
    wake?.();
    flow.onInputCredit?.();
  }

  /** Resolves the job unless it already settled; returns whether this call settled it. */
  resolve(value: unknown): boolean {
    return this.settle(true, value);
  }

  /** Rejects the job unless it already settled; returns whether this call settled it. */
  reject(error: Error): boolean {
    return this.settle(false, error);
  }

  private settle(ok: boolean, value: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.clearTimer();
    // the settlement waits for a busy onProgress; most jobs have none, and get no closure for it
    const flow = this.flowState;
    if (flow?.progressBusy) flow.deferredSettle = () => this.deliver(ok, value);
    else this.deliver(ok, value);
    this.wakeConsumer();
    // free the concurrency slot first: the settle hook emits events, and a throwing listener must not leak the slot
    this.taskDone?.();
    this.hooks?.settled(this, ok, value);
    return true;
  }

  /** Makes the outcome visible: to the promise if one was asked for, and to map()'s engine if it waits. */
  private deliver(ok: boolean, value: unknown): void {
    this.outcome = ok ? TASK_OK : TASK_FAILED;
    this.result = value;
    if (ok) this.resolveFn?.(value);
    else this.rejectFn?.(value);
    this.resolveFn = this.rejectFn = undefined;
    this.watcher?.taskSettled();
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
