/*
 * The jobs side of the supervisor: every job from submission to its single
 * answer. It validates and encodes payloads once, queues them (p-queue,
 * through the Dispatcher), sends them to workers, times them out, cancels
 * them, and decides what happens to the jobs a dead worker held: another
 * attempt, or a WorkerCrashError saying how many workers the job took down.
 */
import {
  AbortError,
  JobTimeoutError,
  QueueFullError,
  SupervisorClosedError,
  WorkerCrashError,
} from '../errors.js';
import { checkFrameSize, encodeWireValue, JOB_HAS_INPUT, jobPrefix } from '../protocol/index.js';
import { pumpInput } from './input-pump.js';
import { Dispatcher } from './dispatcher.js';
import type { SupervisorEvents } from './events.js';
import type { ExitCause } from './exit-policy.js';
import { Job, type JobHooks } from './job.js';
import type { ResolvedOptions, ResolvedRunOptions } from './options.js';
import { RoomQueue } from './room-queue.js';
import { PendingJobs } from './pending-jobs.js';
import { JobTimings } from './timings.js';
import type { WorkerExitInfo, WorkerHandle } from './worker-handle.js';

export interface JobBoardHost {
  readonly log: { debug(obj: object, msg: string): void };
  listenerCount(event: 'job:done' | 'job:progress'): number;
  emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void;
  /** Whether new jobs are taken; `admitted` jobs were accepted earlier and waited for room. */
  accepts(admitted: boolean): boolean;
  /** The error new jobs get when they are not taken. */
  refusal(): Error;
  /** A worker reached its job limit (maxJobsPerWorker). */
  onJobLimit(worker: WorkerHandle): void;
}

/** Job ids are 32-bit on the wire; after the last one the count starts again at 1. */
export const MAX_JOB_ID = 0xffffffff;

/** Without a job:done listener, one job in this many is timed for stats(). */
const TIMING_SAMPLE = 16;

export class JobBoard {
  readonly dispatcher: Dispatcher;
  private readonly pending = new PendingJobs();
  private idleWaiters: Array<() => void> = [];
  private readonly roomQueue = new RoomQueue();
  private readonly hasRoom = () => this.dispatcher.queued < this.options.maxQueue;
  private readonly enqueueAdmitted = (job: Job) => this.enqueue(job, true);
  private readonly jobHooks: JobHooks = {
    settled: (job, ok, value) => this.onJobSettled(job, ok, value),
    progress: (job, value) => {
      if (this.host.listenerCount('job:progress') > 0) this.host.emitSafe('job:progress', { jobId: job.id, name: job.name, attempt: job.attempts, value });
    },
  };
  private nextJobId: number;
  /** Ids still in use when the id count last started again at 1: the new round of ids skips them. */
  private heldIds: Set<number> | undefined;
  private readonly maxJobId: number;
  readonly counts = { completed: 0, failed: 0, retried: 0 };
  readonly timings = new JobTimings();
  private timingTick = 0;

  constructor(
    private readonly host: JobBoardHost,
    private readonly options: ResolvedOptions,
    private readonly workers: Iterable<WorkerHandle>,
    /** Tests: where ids start, and the last id before they start again at 1. */
    ids: { first?: number; max?: number } = {},
  ) {
    this.nextJobId = ids.first ?? 1;
    this.maxJobId = ids.max ?? MAX_JOB_ID;
    this.dispatcher = new Dispatcher(workers, options.perWorker, options.concurrency, (job, worker) => this.dispatch(job, worker));
  }

  get queued(): number {
    return this.dispatcher.queued;
  }

  /** Validates and encodes a job, then queues it, or waits for room when the queue is full and set to wait. */
  submit(payload: unknown, runOptions: ResolvedRunOptions, stream = false): Job | Promise<Job> {
    if (!this.host.accepts(false)) throw this.host.refusal();
    if (runOptions.signal?.aborted) throw new AbortError('The job was aborted before it was queued', { cause: runOptions.signal.reason });
    const { enc, data } = encodeWireValue(payload);
    const prefix = jobPrefix(runOptions.name, 1, runOptions.meta, runOptions.input ? JOB_HAS_INPUT : 0);
    checkFrameSize(data, prefix.length, this.options.maxFrameSize, 'payload');
    const job = new Job(this.takeJobId(), runOptions.name, enc, data, prefix, runOptions);
    if (stream) job.flow.chunks = [];
    const { maxQueue } = this.options;
    if (maxQueue !== Infinity && (this.dispatcher.queued >= maxQueue || this.roomQueue.size > 0)) {
      if (this.options.queueFull === 'reject') throw new QueueFullError(maxQueue);
      return this.roomQueue.wait(job, this.enqueueAdmitted, () => this.resolveIdleWaiters());
    }
    return this.enqueue(job);
  }

  /**
   * The next job id. Ids are 32-bit, so after about 4 billion jobs they start
   * again at 1; a job still running from the round before (a long stream, a
   * hung handler without a timeout, an abandoned job its worker has not let go
   * of) must not share its id with a new one, or replies would reach the
   * wrong job. When the count starts again, the ids in use are noted, and the
   * new round skips each of them once.
   */
  private takeJobId(): number {
    for (;;) {
      const id = this.nextJobId;
      let held = false;
      if (this.heldIds !== undefined) {
        held = this.heldIds.delete(id);
        if (this.heldIds.size === 0) this.heldIds = undefined;
      }
      if (id >= this.maxJobId) {
        this.nextJobId = 1;
        const inUse = this.idsInUse();
        // the job about to take this id is not among them yet
        if (!held) inUse.add(id);
        this.heldIds = inUse;
      } else {
        this.nextJobId = id + 1;
      }
      if (!held) return id;
    }
  }

  /** Every id a job or a worker still holds: unsettled jobs, jobs waiting for room, jobs abandoned but still running. */
  private idsInUse(): Set<number> {
    const ids = new Set<number>();
    for (const job of this.pending.toArray()) ids.add(job.id);
    for (const job of this.roomQueue.jobs()) ids.add(job.id);
    for (const worker of this.workers) for (const id of worker.abandoned.keys()) ids.add(id);
    return ids;
  }

  /** Queues a job; `admitted` jobs were accepted earlier and waited for room, so a graceful close still runs them. */
  private enqueue(job: Job, admitted = false): Job {
    if (!this.host.accepts(admitted)) throw this.host.refusal();
    if (job.options.signal?.aborted) throw new AbortError('The job was aborted before it was queued', { cause: job.options.signal.reason });
    job.hooks = this.jobHooks;
    // a clock read costs about as much as a tenth of a small job: every job is timed while job:done is listened to,
    // and one in TIMING_SAMPLE otherwise, which is plenty for the percentiles of stats()
    if (this.host.listenerCount('job:done') > 0) {
      job.queuedAt = performance.now();
    } else if (this.timingTick++ % TIMING_SAMPLE === 0) {
      job.queuedAt = performance.now();
      job.timingWeight = TIMING_SAMPLE;
    }
    this.pending.add(job);
    const { signal } = job.options;
    if (signal) {
      // removed when the job settles (onJobSettled), not through its promise: a job run by map() makes none
      job.onAbort = () => this.cancel(job, new AbortError('The job was aborted', { cause: signal.reason }));
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    this.dispatcher.submit(job);
    return job;
  }

  private dispatch(job: Job, worker: WorkerHandle): void {
    job.nextAttempt();
    worker.send(job);
    if (this.roomQueue.size > 0) this.roomQueue.admit(this.hasRoom);
    if (job.options.input) pumpInput(job, worker, this.options.maxFrameSize);
    const { timeout } = job.options;
    if (timeout > 0) job.timer = setTimeout(() => this.cancel(job, new JobTimeoutError(job.id, timeout)), timeout);
    if (worker.jobsStarted >= worker.jobLimit) this.host.onJobLimit(worker);
  }

  /** The stream() consumer takes the next chunk; its worker may send one more. */
  take(job: Job): unknown {
    const flow = job.flow;
    const value = flow.chunks!.shift();
    flow.chunksDelivered++;
    if (job.worker && !job.settled) {
      flow.chunksCredited++;
      job.worker.credit(job.id, 1);
    }
    return value;
  }

  /** Ends a job early with `error` (a stream whose consumer stopped reading). */
  abort(job: Job, error: Error): void {
    this.cancel(job, error);
  }

  /** Settles a job with `error` now; if it is running, its worker is told to abort it. */
  private cancel(job: Job, error: Error, many = false): void {
    if (job.settled) return;
    const worker = job.worker;
    // no worker answered it: job:done names none
    job.worker = undefined;
    job.reject(error);
    if (worker) {
      worker.abandon(job, this.options.killGrace);
    } else if (!many) {
      this.dispatcher.unpark(job);
    }
  }

  /** A draining worker's jobs stop holding slots of the overall concurrency, so its replacement can fill them. */
  release(worker: WorkerHandle): void {
    for (const job of worker.inFlight.values()) job.releaseSlot();
    this.dispatcher.pump();
  }

  /**
   * A worker ended with these jobs unanswered. Each is charged with the lost
   * worker; it runs again while it has attempts left, and otherwise rejects
   * with a WorkerCrashError. `failure` rejects them all instead (the pool failed).
   */
  orphaned(jobs: Job[], worker: WorkerHandle, exit: WorkerExitInfo, cause: ExitCause, failure: Error | undefined): void {
    for (const job of jobs) {
      if (job.settled) continue;
      job.worker = undefined;
      job.clearTimer();
      job.crashes++;
      // a stream that has produced chunks cannot start over without repeating them, nor an input source be read again
      const flow = job.flowState;
      const streamed = flow?.cannotReplay(job.options.onChunk) === true;
      if (failure) {
        job.reject(failure);
      } else if (job.attempts <= job.options.retries && !streamed) {
        this.counts.retried++;
        this.host.log.debug({ jobId: job.id, attempts: job.attempts, cause: cause.kind }, 're-dispatching job after its worker ended');
        this.dispatcher.retry(job);
      } else {
        job.reject(
          new WorkerCrashError({
            jobId: job.id,
            attempts: job.attempts,
            crashes: job.crashes,
            chunks: flow?.chunksThrough(job.options.onChunk),
            pid: worker.pid,
            reason: exit.reason,
            exitCode: exit.exitCode,
            signal: exit.signal,
            stderrTail: exit.stderrTail,
          }),
        );
      }
    }
  }

  private onJobSettled(job: Job, ok: boolean, value: unknown): void {
    this.pending.delete(job);
    if (job.onAbort) {
      job.options.signal?.removeEventListener('abort', job.onAbort);
      job.onAbort = undefined;
    }
    if (this.roomQueue.size > 0) this.roomQueue.admit(this.hasRoom);
    this.resolveIdleWaiters();
    if (ok) this.counts.completed++;
    else this.counts.failed++;
    let waitMs: number | undefined;
    let runMs: number | undefined;
    if (job.queuedAt !== 0) {
      const now = performance.now();
      const started = job.dispatchedAt || now;
      waitMs = started - job.queuedAt;
      runMs = now - started;
      this.timings.record(waitMs, runMs, now, job.timingWeight);
    }
    if (this.host.listenerCount('job:done') === 0) return;
    this.host.emitSafe('job:done', {
      jobId: job.id,
      name: job.name,
      ok,
      attempts: job.attempts,
      workerId: job.worker?.id,
      waitMs,
      runMs,
      error: ok ? undefined : (value as Error),
    });
  }

  /** Resolves when no job is queued, running or waiting for room. */
  onIdle(): Promise<void> {
    if (this.pending.size === 0 && this.roomQueue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private resolveIdleWaiters(): void {
    if (this.pending.size === 0 && this.idleWaiters.length > 0 && this.roomQueue.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Rejects every job not yet answered, queued or waiting for room. */
  rejectAll(error: Error): void {
    for (const job of this.pending.toArray()) this.cancel(job, error, true);
    this.dispatcher.queue.clear();
    this.dispatcher.clearParked();
    this.roomQueue.failAll(error);
    this.resolveIdleWaiters();
  }
}
