// One job's life in the supervisor: its encoded payload, its attempts, and the promise that settles exactly once.
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
  private resolveFn!: (value: unknown) => void;
  private rejectFn!: (error: Error) => void;
  readonly promise: Promise<unknown>;
  /** Called after the job settles, once; the supervisor's bookkeeping hook. */
  onSettled: ((job: Job, ok: boolean, value: unknown) => void) | undefined;
  /** Ends the job's p-queue task, freeing its concurrency slot. */
  taskDone: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly enc: number,
    /** The encoded payload: bytes, or JSON text. Encoded once, reused by retries. */
    readonly data: Uint8Array | string,
    readonly prefix: Buffer,
    readonly options: ResolvedRunOptions,
  ) {
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /** Resolves the job unless it already settled; returns whether this call settled it. */
  resolve(value: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.clearTimer();
    this.resolveFn(value);
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
    this.rejectFn(error);
    this.taskDone?.();
    this.onSettled?.(this, false, error);
    return true;
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
