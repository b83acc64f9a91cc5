/*
 * The supervisor: owns the pool of worker processes and the dispatcher, and
 * decides what happens when things go wrong.
 *
 *   run(payload) ─► encode once ─► Dispatcher (p-queue) ─► least-loaded ready worker ══ fd 3 ══► handler
 *        ▲                                                      │
 *        └──────── result / error (settles exactly once) ◄──────┘
 *
 *   worker exits unexpectedly ─► its in-flight jobs are re-dispatched (up to `retries`)
 *                             ─► RestartPolicy: replacement after backoff, or crash-loop failure
 *
 * Timeouts and cancellations settle the job at once and abandon it on its
 * worker, which then gets `killGrace` ms to yield before it is killed.
 */
import { pino, type Logger } from 'pino';
import {
  AbortError,
  CrashLoopError,
  JobTimeoutError,
  QueueFullError,
  SupervisorClosedError,
  WorkerBootError,
  WorkerCrashError,
} from '../errors.js';
import { prepareWorkerModule } from './compile.js';
import { checkFrameSize, encodeWireValue, jobPrefix } from '../protocol/index.js';
import { Dispatcher } from './dispatcher.js';
import { onceWorker, TypedEmitter, type SupervisorEvents } from './events.js';
import { Job } from './job.js';
import { boundedDestination } from './log-destination.js';
import { resolveOptions, resolveRunOptions, type ResolvedOptions, type ResolvedRunOptions, type RunOptions, type SupervisorOptions, integerOption } from './options.js';
import { RestartPolicy } from './restart-policy.js';
import { RoomQueue } from './room-queue.js';
import { WorkerHandle, type WorkerExitInfo, type WorkerOwner } from './worker-handle.js';
import { mapInputs, type MapOptions, type MapResult } from './map.js';

export type SupervisorState = 'running' | 'closing' | 'closed' | 'failed';

export interface SupervisorStats {
  /** Live worker processes (starting, ready or draining). */
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
  /** Re-dispatches after a worker died mid-job. */
  retried: number;
  /** Workers replaced after an unexpected exit. */
  restarts: number;
  /** Workers replaced by recycling (maxJobsPerWorker, maxMemory) or reload. */
  recycled: number;
  state: SupervisorState;
}

/** One live worker, as its last heartbeat described it. */
export interface WorkerStats {
  workerId: number;
  pid: number | undefined;
  state: 'starting' | 'ready' | 'draining' | 'exited';
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
  /** ms to wait for queued and in-flight jobs; the rest are then rejected and workers killed. @default Infinity */
  timeout?: number;
}

/** Internal extension points for modes built on the supervisor (`serve`); not part of the public options. */
export interface SupervisorHooks {
  /** Give every worker a Node IPC channel beside its fd-3 job channel. */
  ipc?: boolean;
  /** Called with each worker right after it is spawned. */
  onSpawn?: (worker: WorkerHandle) => void;
}

export class Supervisor extends TypedEmitter<SupervisorEvents> implements WorkerOwner {
  readonly options: ResolvedOptions;
  readonly log: Logger;
  private readonly workers = new Set<WorkerHandle>();
  private readonly dispatcher: Dispatcher;
  private readonly policy: RestartPolicy;
  private readonly pending = new Set<Job>();
  /** Callers of onIdle(), resolved when the last pending job settles. */
  private idleWaiters: Array<() => void> = [];
  /** Callers of run() waiting for queue room (queueFull: 'wait'). */
  private readonly roomQueue = new RoomQueue();
  private readonly hasRoom = () => this.dispatcher.queued < this.options.maxQueue;
  private readonly enqueueAdmitted = (job: Job) => this.enqueue(job, true);
  private size: number;
  private readonly concurrencyFollowsSize: boolean;
  private scheduledRestarts = 0;
  private nextWorkerId = 1;
  private nextJobId = 1;
  private everReady = false;
  private stopping = false;
  private stateValue: SupervisorState = 'running';
  private failureError: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** What workers load: set once the module is compiled (TypeScript) or right away (JavaScript). */
  private module: { url: string; execArgv: string[] } | undefined;
  /** Per-job options when run() is given none; shared, never mutated. */
  private readonly defaultRunOptions: ResolvedRunOptions;
  private readonly onJobSettledBound = (job: Job, ok: boolean, value: unknown) => this.onJobSettled(job, ok, value);
  private readonly counts = { completed: 0, failed: 0, retried: 0, restarts: 0, recycled: 0 };

  constructor(
    options: SupervisorOptions,
    private readonly hooks: SupervisorHooks = {},
  ) {
    super();
    this.options = resolveOptions(options);
    this.log = this.options.logger ?? pino({ level: this.options.logLevel, base: { name: 'supervise' } }, boundedDestination({ base: { name: 'supervise' } }));
    this.size = this.options.workers;
    this.defaultRunOptions = Object.freeze(resolveRunOptions(undefined, this.options));
    this.concurrencyFollowsSize = options.concurrency === undefined;
    this.policy = new RestartPolicy(this.options);
    this.dispatcher = new Dispatcher(this.workers, this.options.perWorker, this.options.concurrency, (job, worker) => this.dispatch(job, worker));
    this.dispatcher.fastPath = this.options.concurrency >= this.size * this.options.perWorker;
    const checkEvery = Math.min(this.options.heartbeatInterval || 1000, this.options.startTimeout, 1000);
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), checkEvery);
    this.heartbeatTimer.unref();
    void this.prepareModule().then(
      () => this.ensureSize(),
      (error: unknown) => this.failToCompile(error),
    );
  }

  get state(): SupervisorState {
    return this.stateValue;
  }

  /** The error that put the supervisor in the failed state (crash loop, boot failure). */
  get failure(): Error | undefined {
    return this.failureError;
  }

  /** Runs one job and resolves with the handler's result. */
  run<T = unknown>(payload: unknown, options?: RunOptions): Promise<T> {
    try {
      return this.runResolved<T>(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** run() with options already validated: map() validates once for all its jobs. */
  private runResolved<T>(payload: unknown, options: ResolvedRunOptions): Promise<T> {
    try {
      const job = this.submit(payload, options);
      return (job instanceof Job ? job.promise : job.then((admitted) => admitted.promise)) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Like `run()`, but resolves with the result plus which job and worker process it was. */
  async runDetailed<T = unknown>(payload: unknown, options?: RunOptions): Promise<JobOutcome<T>> {
    const job = await this.submit(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options));
    const result = (await job.promise) as T;
    return { result, jobId: job.id, pid: job.servedBy, attempts: job.attempts };
  }

  /** Validates and encodes a job, then queues it, or waits for room when the queue is full and set to wait. */
  private submit(payload: unknown, runOptions: ResolvedRunOptions): Job | Promise<Job> {
    if (this.stateValue !== 'running') throw this.failureError ?? new SupervisorClosedError();
    if (runOptions.signal?.aborted) throw new AbortError('The job was aborted before it was queued', { cause: runOptions.signal.reason });
    const { enc, data } = encodeWireValue(payload);
    const prefix = jobPrefix(runOptions.name);
    checkFrameSize(data, prefix.length, this.options.maxFrameSize, 'payload');
    const job = new Job(this.nextJobId, runOptions.name, enc, data, prefix, runOptions);
    this.nextJobId = this.nextJobId >= 0xffffffff ? 1 : this.nextJobId + 1;
    const { maxQueue } = this.options;
    if (maxQueue !== Infinity && (this.dispatcher.queued >= maxQueue || this.roomQueue.size > 0)) {
      if (this.options.queueFull === 'reject') throw new QueueFullError(maxQueue);
      return this.roomQueue.wait(job, this.enqueueAdmitted, () => this.resolveIdleWaiters());
    }
    return this.enqueue(job);
  }

  /** Lets callers waiting for queue room in, one per free place, in arrival order. */
  private admitWaiting(): void {
    this.roomQueue.admit(this.hasRoom);
  }

  /**
   * Runs a job per input and yields results in input order. Memory stays
   * bounded: only a window of jobs is in flight, whatever the input size.
   * With `settle: true` it yields `{ ok, value | error }` instead of throwing.
   */
  map<T = unknown>(inputs: Iterable<unknown> | AsyncIterable<unknown>, options?: MapOptions & { settle?: false }): AsyncGenerator<T>;
  map<T = unknown>(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions & { settle: true }): AsyncGenerator<MapResult<T>>;
  map<T = unknown>(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions = {}): AsyncGenerator<T | MapResult<T>> {
    const window = integerOption('window', options.window, 1, Math.min(Math.max(this.options.concurrency, 1), 4096) * 2);
    const { name, timeout, retries, signal } = options;
    const runOptions = resolveRunOptions({ name, timeout, retries, signal }, this.options);
    return mapInputs<T>((payload) => this.runResolved<T>(payload, runOptions), inputs, window, options.settle === true);
  }

  /** Each live worker: its state, load, and what its last heartbeat said (RSS, event-loop delay). */
  workerStats(): WorkerStats[] {
    const now = Date.now();
    return [...this.workers].map((worker) => ({
      workerId: worker.id,
      pid: worker.pid,
      state: worker.state,
      inFlight: worker.inFlight.size,
      jobs: worker.jobsStarted,
      rss: worker.rss,
      loopDelay: worker.loopDelay,
      silentFor: now - worker.lastBeat,
    }));
  }

  stats(): SupervisorStats {
    let ready = 0;
    let starting = 0;
    let draining = 0;
    let inFlight = 0;
    for (const worker of this.workers) {
      inFlight += worker.inFlight.size;
      if (worker.state === 'ready') ready++;
      else if (worker.state === 'starting') starting++;
      else if (worker.state === 'draining') draining++;
    }
    return {
      workers: this.workers.size,
      ready,
      starting,
      draining,
      queued: this.dispatcher.queued,
      inFlight,
      completed: this.counts.completed,
      failed: this.counts.failed,
      retried: this.counts.retried,
      restarts: this.counts.restarts,
      recycled: this.counts.recycled,
      state: this.stateValue,
    };
  }

  /** Resolves when no job is queued or running. */
  onIdle(): Promise<void> {
    if (this.pending.size === 0 && this.roomQueue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when `count` workers (default: the pool size) are ready. */
  async ready(count = this.size): Promise<void> {
    while (this.readyCount() < count) {
      if (this.failureError) throw this.failureError;
      if (this.stateValue === 'closed') throw new SupervisorClosedError();
      if (this.stopping) throw new SupervisorClosedError('The supervisor is closing; no more workers will become ready');
      await new Promise<void>((resolve) => {
        const done = () => {
          this.off('worker:ready', done);
          this.off('failed', done);
          this.off('close', done);
          resolve();
        };
        this.on('worker:ready', done);
        this.on('failed', done);
        this.on('close', done);
      });
    }
  }

  /** Changes the pool size; extra workers finish their jobs before they exit. */
  resize(workers: number): void {
    this.size = integerOption('workers', workers, 1, this.size);
    // a concurrency that was derived from the pool size follows it
    if (this.concurrencyFollowsSize) this.dispatcher.queue.concurrency = this.size * this.options.perWorker;
    this.dispatcher.fastPath = this.dispatcher.queue.concurrency >= this.size * this.options.perWorker;
    this.ensureSize();
  }

  /**
   * Rolling restart: each worker in turn is replaced by a fresh one, which is
   * ready before the old one stops taking jobs. No job fails or is lost.
   */
  async reload(): Promise<void> {
    // pick up code changes: a module that no longer compiles rejects here, and the old workers stay
    await this.prepareModule();
    const old = [...this.workers].filter((w) => w.state === 'starting' || w.state === 'ready');
    for (const worker of old) {
      if (this.stateValue !== 'running') return;
      if (worker.state === 'exited') continue;
      const replacement = this.spawn();
      await this.waitReadyOrExit(replacement);
      if (replacement.state === 'exited') throw this.failureError ?? new Error(`reload: the replacement worker did not start`);
      this.retire(worker, 'reload');
      await this.waitExit(worker);
    }
  }

  /**
   * Graceful shutdown: takes no new jobs, finishes queued and in-flight ones,
   * sends every worker a shutdown frame and waits for it to exit (terminating
   * those that do not). With `timeout`, jobs still pending then are rejected.
   */
  close(options: CloseOptions = {}): Promise<void> {
    return (this.closing ??= this.closeNow(options));
  }

  /** Rejects everything pending and kills the workers at once. */
  async destroy(error: Error = new SupervisorClosedError('The supervisor was destroyed')): Promise<void> {
    if (this.stateValue === 'running' || this.stateValue === 'closing') this.stateValue = 'closing';
    this.rejectAll(error);
    await this.stopWorkers(0);
    this.finishClosing();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async closeNow(options: CloseOptions): Promise<void> {
    const timeout = integerOption('timeout', options.timeout, 0, Infinity, true);
    if (this.stateValue === 'running') this.stateValue = 'closing';
    if (this.stateValue === 'closing') {
      const idle = this.onIdle();
      if (timeout === Infinity) await idle;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
        clearTimeout(timer);
        this.rejectAll(new SupervisorClosedError(`The supervisor closed before the job finished (close timeout ${timeout} ms)`));
      }
    }
    await this.stopWorkers(5000);
    this.finishClosing();
  }

  private finishClosing(): void {
    clearInterval(this.heartbeatTimer);
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    if (this.stateValue !== 'failed') this.stateValue = 'closed';
  }

  /** Asks every worker to exit, waits up to `grace` ms, then terminates the rest. */
  private async stopWorkers(grace: number): Promise<void> {
    this.stopping = true;
    this.emitSafe('close');
    const workers = [...this.workers];
    for (const worker of workers) {
      if (grace > 0) worker.drain('close');
      else worker.forceKill('supervisor destroyed');
    }
    const exited = Promise.all(workers.map((w) => this.waitExit(w)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const worker of workers) worker.kill('did not exit after the shutdown frame');
        resolve();
      }, grace);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    await exited;
  }

  /** Queues a job; `admitted` jobs were accepted while running and waited for room, so a graceful close still runs them. */
  private enqueue(job: Job, admitted = false): Job {
    if (this.stateValue !== 'running' && !(admitted && this.stateValue === 'closing')) throw this.failureError ?? new SupervisorClosedError();
    if (job.options.signal?.aborted) throw new AbortError('The job was aborted before it was queued', { cause: job.options.signal.reason });
    job.onSettled = this.onJobSettledBound;
    this.pending.add(job);
    const { signal } = job.options;
    if (signal) {
      const onAbort = () => this.cancel(job, new AbortError('The job was aborted', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      void job.promise.then(
        () => signal.removeEventListener('abort', onAbort),
        () => signal.removeEventListener('abort', onAbort),
      );
    }
    this.dispatcher.submit(job);
    return job;
  }

  private dispatch(job: Job, worker: WorkerHandle): void {
    job.attempts++;
    worker.send(job);
    if (this.roomQueue.size > 0) this.admitWaiting();
    const { timeout } = job.options;
    if (timeout > 0) job.timer = setTimeout(() => this.cancel(job, new JobTimeoutError(job.id, timeout)), timeout);
    if (worker.jobsStarted >= worker.jobLimit) this.recycle(worker, `served ${worker.jobsStarted} jobs (maxJobsPerWorker)`);
  }

  /** Settles a job with `error` now; if it is running, its worker is told to abort it. */
  private cancel(job: Job, error: Error, many = false): void {
    const worker = job.worker;
    if (!job.reject(error)) return;
    if (worker) {
      job.worker = undefined;
      worker.abandon(job, this.options.killGrace);
    } else if (!many) {
      this.dispatcher.unpark(job);
    }
  }

  private onJobSettled(job: Job, ok: boolean, value: unknown): void {
    this.pending.delete(job);
    if (this.roomQueue.size > 0) this.admitWaiting();
    this.resolveIdleWaiters();
    if (ok) this.counts.completed++;
    else this.counts.failed++;
    if (this.listenerCount('job:done') > 0) {
      this.emitSafe('job:done', {
        jobId: job.id,
        name: job.name,
        ok,
        attempts: job.attempts,
        workerId: job.worker?.id,
        error: ok ? undefined : (value as Error),
      });
    }
  }

  private resolveIdleWaiters(): void {
    if (this.pending.size === 0 && this.idleWaiters.length > 0 && this.roomQueue.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private rejectAll(error: Error): void {
    for (const job of [...this.pending]) this.cancel(job, error, true);
    this.dispatcher.queue.clear();
    this.dispatcher.clearParked();
    this.roomQueue.failAll(error);
    this.resolveIdleWaiters();
  }

  /** Emits an event; a listener that throws is logged, and cannot break the supervisor's own bookkeeping. */
  private emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.log.error({ err: error, event }, 'an event listener threw');
    }
  }

  // ── pool management ────────────────────────────────────────────────

  /** Compiles a TypeScript module once for all workers; JavaScript modules are loaded as they are. */
  private async prepareModule(): Promise<void> {
    this.module = await prepareWorkerModule(this.options.worker);
  }

  /** A module that does not compile is a boot failure: no worker could ever start. */
  private failToCompile(error: unknown): void {
    const reason = `module ${this.options.workerPath} failed to boot: it does not compile: ${(error as Error)?.message ?? String(error)}`;
    const bootError = new WorkerBootError(
      { module: this.options.workerPath, reason: `it does not compile: ${(error as Error)?.message ?? String(error)}`, exitCode: null, signal: null, stderrTail: '' },
      { cause: error },
    );
    this.fail(new CrashLoopError({ restarts: 0, windowMs: this.options.restartWindow, reason, exitCode: null, signal: null, stderrTail: '' }, { cause: bootError }));
  }

  private readyCount(): number {
    let n = 0;
    for (const worker of this.workers) if (worker.state === 'ready') n++;
    return n;
  }

  /** Starts or retires workers until the active ones (starting or ready) match the pool size. */
  private ensureSize(): void {
    if (!this.module || this.stopping || this.stateValue === 'failed' || this.stateValue === 'closed') return;
    let active = this.scheduledRestarts;
    for (const worker of this.workers) if (worker.state === 'starting' || worker.state === 'ready') active++;
    for (; active < this.size; active++) this.spawn();
    while (active > this.size && this.scheduledRestarts > 0) {
      // shrinking: drop pending replacements before stopping live workers
      const [timer] = this.restartTimers;
      clearTimeout(timer);
      this.restartTimers.delete(timer);
      this.scheduledRestarts--;
      active--;
    }
    if (active > this.size) {
      const idleFirst = [...this.workers].filter((w) => w.state === 'ready' || w.state === 'starting').sort((a, b) => a.load - b.load);
      for (const worker of idleFirst.slice(0, active - this.size)) this.retire(worker, 'resize');
    }
  }

  private spawn(): WorkerHandle {
    const { maxJobsPerWorker } = this.options;
    // callers check that the pool is not stopping
    const jitter = maxJobsPerWorker === Infinity ? Infinity : Math.max(1, Math.round(maxJobsPerWorker * (0.9 + Math.random() * 0.2)));
    const worker = new WorkerHandle(this.nextWorkerId++, this, this.options, jitter, this.module!, this.hooks.ipc === true);
    this.workers.add(worker);
    this.hooks.onSpawn?.(worker);
    this.emitSafe('worker:spawn', { workerId: worker.id, pid: worker.pid });
    return worker;
  }

  /** Stops sending a worker jobs and lets it exit after its in-flight ones. */
  private retire(worker: WorkerHandle, reason: string): void {
    // a starting worker reads the shutdown frame as soon as it is up, and exits: an expected exit, not a crash
    worker.stopReason ??= reason;
    worker.drain(reason);
  }

  /** Replaces a worker without a capacity dip: the replacement starts before the old one drains. */
  private recycle(worker: WorkerHandle, reason: string): void {
    if (worker.state !== 'ready' || this.stopping) return;
    this.counts.recycled++;
    this.log.info({ workerId: worker.id, pid: worker.pid, reason }, 'recycling worker');
    this.emitSafe('worker:recycle', { workerId: worker.id, pid: worker.pid, reason });
    this.retire(worker, `recycle: ${reason}`);
    this.ensureSize();
  }

  /** Kills workers that stopped sending heartbeats (a blocked event loop), and workers that never finished starting. */
  private checkHeartbeats(): void {
    const now = Date.now();
    for (const worker of this.workers) {
      if (worker.state === 'starting' && now - worker.startedAt > this.options.startTimeout) {
        worker.kill(`it did not load its module within startTimeout (${this.options.startTimeout} ms)`);
        continue;
      }
      if (this.options.heartbeatInterval === 0 || (worker.state !== 'ready' && worker.state !== 'draining')) continue;
      const silent = now - worker.lastBeat;
      if (silent > this.options.heartbeatTimeout) {
        worker.kill(`no heartbeat for ${silent} ms (heartbeatTimeout ${this.options.heartbeatTimeout} ms): its event loop is blocked`);
      }
    }
  }

  private waitExit(worker: WorkerHandle): Promise<void> {
    return worker.state === 'exited' ? Promise.resolve() : onceWorker(this, worker.id, ['worker:exit']);
  }

  private waitReadyOrExit(worker: WorkerHandle): Promise<void> {
    return worker.state !== 'starting' ? Promise.resolve() : onceWorker(this, worker.id, ['worker:ready', 'worker:exit']);
  }

  // ── WorkerOwner: what worker handles report ───────────────────────

  onReady(worker: WorkerHandle): void {
    this.everReady = true;
    this.emitSafe('worker:ready', { workerId: worker.id, pid: worker.pid });
    if (this.stopping) worker.drain('close');
    this.dispatcher.pump();
  }

  onSlotFreed(): void {
    this.dispatcher.pump();
  }

  onHeartbeat(worker: WorkerHandle): void {
    if (worker.rss > this.options.maxMemory) this.recycle(worker, `RSS ${worker.rss} bytes is over maxMemory (${this.options.maxMemory})`);
  }

  onExit(worker: WorkerHandle, info: WorkerExitInfo): void {
    this.workers.delete(worker);
    const level = info.expected ? 'debug' : 'warn';
    this.log[level]({ workerId: worker.id, pid: worker.pid, exitCode: info.exitCode, signal: info.signal }, `worker ${info.reason}`);
    this.emitSafe('worker:exit', {
      workerId: worker.id,
      pid: worker.pid,
      exitCode: info.exitCode,
      signal: info.signal,
      reason: info.reason,
      expected: info.expected,
    });
    const orphans = [...worker.inFlight.values()];
    worker.inFlight.clear();

    if (!info.expected && !this.stopping && this.stateValue !== 'failed') {
      if (info.bootError && !this.everReady) {
        // the module never loaded in any worker: restarting cannot help (Gunicorn's boot-error halt)
        this.fail(
          new CrashLoopError(
            { restarts: 0, windowMs: this.options.restartWindow, reason: info.reason, exitCode: info.exitCode, signal: info.signal, stderrTail: info.stderrTail },
            { cause: info.bootError },
          ),
        );
      } else {
        this.counts.restarts++;
        const delay = this.policy.recordCrash();
        if (delay === undefined) {
          this.fail(
            new CrashLoopError(
              { restarts: this.policy.restarts, windowMs: this.options.restartWindow, reason: info.reason, exitCode: info.exitCode, signal: info.signal, stderrTail: info.stderrTail },
              { cause: info.bootError },
            ),
          );
        } else {
          this.scheduleRestart(delay);
        }
      }
    }
    for (const job of orphans) this.retryOrFail(job, worker, info);
    if (info.expected) this.ensureSize();
    this.dispatcher.pump();
  }

  private retryOrFail(job: Job, worker: WorkerHandle, info: WorkerExitInfo): void {
    if (job.settled) return;
    job.worker = undefined;
    job.clearTimer();
    if (this.stateValue !== 'failed' && job.attempts <= job.options.retries) {
      this.counts.retried++;
      this.log.debug({ jobId: job.id, attempts: job.attempts }, 're-dispatching job after its worker died');
      this.dispatcher.schedule(job);
      return;
    }
    job.reject(
      new WorkerCrashError({
        jobId: job.id,
        attempts: job.attempts,
        pid: worker.pid,
        reason: info.reason,
        exitCode: info.exitCode,
        signal: info.signal,
        stderrTail: info.stderrTail,
      }),
    );
  }

  private scheduleRestart(delay: number): void {
    this.scheduledRestarts++;
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      this.scheduledRestarts--;
      this.ensureSize();
    }, delay);
    this.restartTimers.add(timer);
  }

  /** Enters the failed state: every pending job rejects with `error`, workers are stopped. */
  private fail(error: Error): void {
    if (this.stateValue === 'failed') return;
    this.stateValue = 'failed';
    this.failureError = error;
    this.log.error({ err: error }, 'supervisor failed');
    this.rejectAll(error);
    this.stopping = true;
    for (const worker of this.workers) worker.kill('supervisor failed');
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    this.scheduledRestarts = 0;
    this.emitSafe('failed', error);
  }
}

/** Creates a supervisor and starts its workers. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new Supervisor(options);
}
