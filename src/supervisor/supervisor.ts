/*
 * The supervisor: the public face over a pool of worker processes (pool.ts)
 * and the jobs they run (job-board.ts).
 *
 *   run(payload) ─► JobBoard: encode once, queue (p-queue) ─► least-loaded ready worker ══ fd 3 ══► handler
 *        ▲                                                          │
 *        └──────────── result / error (settles exactly once) ◄──────┘
 *
 *   Pool: reap (exit-policy decides), murder (heartbeats, start and drain deadlines), manage (target size)
 *
 * Its own life is an explicit state machine:
 *
 *   starting ──first ready──► running ──close()──► draining ──► stopping ──► closed
 *       │                        │                    │            ▲
 *       ├────────────────────────┴────destroy()───────┴────────────┘
 *       └──────────── the exit policy gives up ──► failed (terminal; close() still stops the workers)
 */
import { reportListenerError, supervisorLogger, type SuperviseLogger } from './log.js';
import { AbortError, CrashLoopError, ReloadError, SupervisorClosedError, UnsafeCacheDirError, WorkerBootError } from '../errors.js';
import { Lifecycle, type Moves } from '../lifecycle.js';
import { CompileCache, prepareWorkerModule } from './compile.js';
import { describeCompileError } from './compile-error.js';
import { TypedEmitter, type SupervisorEvents } from './events.js';
import { JobBoard } from './job-board.js';
import { Job } from './job.js';
import { failedTask, MapIterator, PromiseTask, type MapOptions, type MapResult, type MapTask } from './map.js';
import { integerOption, resolveOptions, resolveRunOptions, type ResolvedOptions, type ResolvedRunOptions, type RunOptions, type SupervisorOptions } from './options.js';
import type { DefaultHandlerName, PayloadOf, RunHandlerName, RunResult, StreamChunk, StreamHandlerName, TypedMapOptions, TypedRunOptions } from './typed.js';
import { Pool } from './pool.js';
import type { TimingStats } from './timings.js';
import type { WorkerHandle, WorkerState } from './worker-handle.js';

export type SupervisorState = 'starting' | 'running' | 'draining' | 'stopping' | 'closed' | 'failed';

const SUPERVISOR_MOVES: Moves<SupervisorState> = {
  starting: ['running', 'draining', 'stopping', 'failed'],
  running: ['draining', 'stopping', 'failed'],
  draining: ['stopping', 'failed'],
  stopping: ['closed'],
  closed: [],
  failed: [],
};

export interface SupervisorStats {
  /** Live worker processes (starting, ready, draining or stopping). */
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
  /** Re-dispatches after a worker ended mid-job. */
  retried: number;
  /** Workers replaced after an exit the supervisor did not order. */
  restarts: number;
  /** Workers replaced by recycling (maxJobsPerWorker, maxMemory). */
  recycled: number;
  state: SupervisorState;
  /** Wait and run time percentiles and pool utilisation over the last 1,024 jobs. */
  timing: TimingStats;
}

/** One live worker, as its last heartbeat described it. */
export interface WorkerStats {
  workerId: number;
  pid: number | undefined;
  state: WorkerState;
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
  /** ms to wait for queued and in-flight jobs; the rest are then rejected and workers stopped. @default drainTimeout */
  timeout?: number;
}

/** Internal extension points for modes built on the supervisor (`serve`); not part of the public options. */
/** @internal */
export interface SupervisorHooks {
  /** Give every worker a Node IPC channel beside its fd-3 job channel. */
  ipc?: boolean;
  /** Called with each worker right after it is spawned. */
  onSpawn?: (worker: WorkerHandle) => void;
  /** Tests: the first job id, and the last before ids start again at 1 (a small space to wrap in a test). */
  jobIds?: { first?: number; max?: number };
}

/** Attempts at a replacement worker during reload() before it gives up. */
const RELOAD_ATTEMPTS = 3;

/**
 * `Module` is the type of the worker module, `typeof import('./worker.js')`, for typed `run`, `runDetailed` and
 * `map` calls (see `typed.ts`). Without it (`any`, the default, or `unknown`) they are untyped; the default is
 * `any` so that a typed supervisor is still assignable to a plain `Supervisor`.
 */
export class Supervisor<Module = any> extends TypedEmitter<SupervisorEvents> {
  readonly options: ResolvedOptions;
  readonly log: SuperviseLogger;
  private readonly life = new Lifecycle<SupervisorState>(SUPERVISOR_MOVES, 'starting', (_from, to) => {
    this.accepting = to === 'starting' || to === 'running';
  });
  /** New jobs are taken (starting or running); kept as a field because every run() asks. */
  private accepting = true;
  private readonly pool: Pool;
  private readonly jobs: JobBoard;
  private readonly concurrencyFollowsSize: boolean;
  private failureError: Error | undefined;
  private closing: Promise<void> | undefined;
  private reloading: Promise<void> | undefined;
  /** Per-job options when run() is given none; shared, never mutated. */
  private readonly defaultRunOptions: ResolvedRunOptions;
  /** This supervisor's private directory of compiled TypeScript modules, removed when it closes. */
  private readonly compiled = new CompileCache();

  constructor(options: SupervisorOptions);
  /** @internal serve() and tests: hooks into worker spawning. */
  constructor(options: SupervisorOptions, hooks: SupervisorHooks);
  constructor(options: SupervisorOptions, hooks: SupervisorHooks = {}) {
    super();
    this.options = resolveOptions(options);
    this.log = supervisorLogger(this.options.logger, this.options.logLevel);
    this.defaultRunOptions = Object.freeze(resolveRunOptions(undefined, this.options));
    this.concurrencyFollowsSize = options.concurrency === undefined;
    const emitSafe = this.emitSafe.bind(this);
    this.pool = new Pool(
      {
        log: this.log,
        emitSafe,
        pump: () => this.jobs.dispatcher.pump(),
        onReady: () => this.life.is('starting') && this.life.to('running'),
        onDraining: (worker) => this.jobs.release(worker),
        onOrphans: (jobs, worker, exit, cause) => this.jobs.orphaned(jobs, worker, exit, cause, this.orphanFailure()),
        onFailed: (error) => this.fail(error),
        onSpawn: hooks.onSpawn,
      },
      this.options,
      undefined,
      hooks.ipc === true,
    );
    this.jobs = new JobBoard(
      {
        log: this.log,
        emitSafe,
        listenerCount: (event) => this.listenerCount(event),
        accepts: (admitted) => this.accepting || (admitted && this.life.state === 'draining'),
        refusal: () => this.failureError ?? new SupervisorClosedError(),
        onJobLimit: (worker) => this.pool.recycle(worker, `served ${worker.jobsStarted} jobs (maxJobsPerWorker)`),
      },
      this.options,
      this.pool.workers,
      hooks.jobIds,
    );
    this.updateSlotsBind();
    void this.prepareModule().then(
      () => this.pool.manage(),
      (error: unknown) => this.fail(error instanceof UnsafeCacheDirError ? error : this.compileFailure(error, 0)),
    );
  }

  get state(): SupervisorState {
    return this.life.state;
  }

  /** The error that put the supervisor in the failed state (crash loop, boot failure). */
  get failure(): Error | undefined {
    return this.failureError;
  }

  /**
   * Runs one job and resolves with the handler's result. Untyped, `run<T>()` says what the result is; with a
   * `Module` type, the handler `name`, its payload and its result type come from the worker module.
   */
  run<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(
    payload: NoInfer<PayloadOf<Module, Name>>,
    options?: TypedRunOptions<Module, Name>,
  ): Promise<RunResult<Module, Name, T>>;
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
      const job = this.jobs.submit(payload, options);
      return (job instanceof Job ? job.promise : job.then((admitted) => admitted.promise)) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Like `run()`, but resolves with the result plus which job and worker process it was. */
  runDetailed<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(
    payload: NoInfer<PayloadOf<Module, Name>>,
    options?: TypedRunOptions<Module, Name>,
  ): Promise<JobOutcome<RunResult<Module, Name, T>>>;
  async runDetailed<T = unknown>(payload: unknown, options?: RunOptions): Promise<JobOutcome<T>> {
    const job = await this.jobs.submit(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options));
    const result = (await job.promise) as T;
    return { result, jobId: job.id, pid: job.servedBy, attempts: job.attempts };
  }

  /**
   * Runs a generator handler (an `async function*`) and yields its chunks as
   * they come. Backpressure is credit-based: the worker never has more than
   * 16 chunks (or 4 MiB) unread by you in flight, so a slow consumer pauses the
   * generator instead of filling memory. Breaking out of the loop cancels the
   * job (its `ctx.signal` aborts). The generator's return value is not
   * yielded. A stream that has produced chunks is not retried if its worker
   * dies: it fails with a WorkerCrashError saying how many chunks got through.
   */
  stream<T = unknown, Name extends StreamHandlerName<Module> = DefaultHandlerName<Module, StreamHandlerName<Module>>>(
    payload: NoInfer<PayloadOf<Module, Name>>,
    options?: TypedRunOptions<Module, Name>,
  ): AsyncGenerator<StreamChunk<Module, Name, T>, void, undefined>;
  stream<T = unknown>(payload: unknown, options?: RunOptions): AsyncGenerator<T, void, undefined> {
    let submitted: Job | Promise<Job>;
    try {
      submitted = this.jobs.submit(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options), true);
    } catch (error) {
      submitted = Promise.reject(error);
    }
    // the job runs (and may fail) even before the caller starts reading: its failure is the reader's, not an unhandled rejection
    void Promise.resolve(submitted).then((job) => job.promise.catch(() => {}), () => {});
    return this.readStream<T>(submitted);
  }

  private async *readStream<T>(submitted: Job | Promise<Job>): AsyncGenerator<T, void, undefined> {
    const job = await submitted;
    try {
      for (;;) {
        await job.nextChunk();
        if (job.flow.chunks!.length > 0) yield this.jobs.take(job) as T;
        else break;
      }
      await job.promise;
    } finally {
      if (!job.settled) this.jobs.abort(job, new AbortError('The stream was closed by its reader'));
    }
  }

  /**
   * Runs a job per input and yields results in input order. Memory stays
   * bounded: only a window of jobs is in flight, whatever the input size.
   * With `settle: true` it yields `{ ok, value | error }` instead of throwing.
   */
  map<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(
    inputs: Iterable<NoInfer<PayloadOf<Module, Name>>> | AsyncIterable<NoInfer<PayloadOf<Module, Name>>>,
    options?: TypedMapOptions<Module, Name> & { settle?: false },
  ): AsyncGenerator<RunResult<Module, Name, T>>;
  map<T = unknown, Name extends RunHandlerName<Module> = DefaultHandlerName<Module>>(
    inputs: Iterable<NoInfer<PayloadOf<Module, Name>>> | AsyncIterable<NoInfer<PayloadOf<Module, Name>>>,
    options: TypedMapOptions<Module, Name> & { settle: true },
  ): AsyncGenerator<MapResult<RunResult<Module, Name, T>>>;
  map<T = unknown>(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions = {}): AsyncGenerator<T | MapResult<T>> {
    const window = integerOption('window', options.window, 1, Math.min(Math.max(this.options.concurrency, 1), 4096) * 2);
    const { name, timeout, retries, signal } = options;
    const runOptions = resolveRunOptions({ name, timeout, retries, signal }, this.options);
    return new MapIterator<T | MapResult<T>>((payload) => this.startTask(payload, runOptions), inputs, window, options.settle === true);
  }

  /** map()'s start of one job: the job itself is the task map() watches, with no promise made for it. */
  private startTask(payload: unknown, options: ResolvedRunOptions): MapTask {
    let job: Job | Promise<Job>;
    try {
      job = this.jobs.submit(payload, options);
    } catch (error) {
      return failedTask(error);
    }
    // a job that waited for queue room (maxQueue) is watched through its promise
    return job instanceof Job ? job : new PromiseTask(job.then((admitted) => admitted.promise));
  }

  /** Each live worker: its state, load, and what its last heartbeat said (RSS, event-loop delay). */
  workerStats(): WorkerStats[] {
    const now = Date.now();
    return [...this.pool.workers].map((worker) => ({
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
    let inFlight = 0;
    for (const worker of this.pool.workers) inFlight += worker.inFlight.size;
    return {
      workers: this.pool.workers.size,
      ready: this.pool.count('ready'),
      starting: this.pool.count('starting'),
      draining: this.pool.count('draining'),
      queued: this.jobs.queued,
      inFlight,
      ...this.jobs.counts,
      restarts: this.pool.restarts,
      recycled: this.pool.recycled,
      state: this.life.state,
      timing: this.jobs.timings.stats(performance.now(), Math.min(this.pool.target * this.options.perWorker, this.jobs.dispatcher.concurrency)),
    };
  }

  /** Resolves when no job is queued or running. */
  onIdle(): Promise<void> {
    return this.jobs.onIdle();
  }

  /** Resolves when `count` workers (default: the pool size) are ready. */
  async ready(count = this.pool.target): Promise<void> {
    while (this.pool.count('ready') < count) {
      if (this.failureError) throw this.failureError;
      if (this.life.is('closed')) throw new SupervisorClosedError();
      if (this.life.is('draining', 'stopping')) throw new SupervisorClosedError('The supervisor is closing; no more workers will become ready');
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

  /** Changes the pool size; extra workers finish their jobs (within drainTimeout) before they exit. */
  resize(workers: number): void {
    this.pool.target = integerOption('workers', workers, 1, this.pool.target);
    // a concurrency that was derived from the pool size follows it
    if (this.concurrencyFollowsSize) this.jobs.dispatcher.concurrency = this.pool.target * this.options.perWorker;
    this.updateSlotsBind();
    this.pool.manage();
    this.emitSafe('resize', { workers: this.pool.target, capacity: this.capacity });
  }

  /** Jobs the pool can run at once at its target size: workers × perWorker, or less when `concurrency` caps it. */
  get capacity(): number {
    return Math.min(this.pool.target * this.options.perWorker, this.jobs.dispatcher.concurrency);
  }

  private updateSlotsBind(): void {
    this.jobs.dispatcher.slotsBind = this.jobs.dispatcher.concurrency >= this.pool.target * this.options.perWorker;
  }

  /**
   * Rolling restart: each worker in turn is replaced by a fresh one, which is
   * ready before the old one stops taking jobs. No job fails or is lost.
   * Calls made while one is under way share it.
   */
  reload(): Promise<void> {
    return (this.reloading ??= this.reloadNow().finally(() => {
      this.reloading = undefined;
    }));
  }

  private async reloadNow(): Promise<void> {
    if (!this.life.is('starting', 'running')) throw this.failureError ?? new SupervisorClosedError('The supervisor is closing; reload() does nothing');
    // pick up code changes: a module that no longer compiles rejects here, and the old workers stay
    try {
      await this.prepareModule();
    } catch (error) {
      if (error instanceof UnsafeCacheDirError) throw new ReloadError(`reload() failed: ${error.message}; the running workers were kept`, { cause: error });
      throw new ReloadError('reload() failed: the worker module does not compile; the running workers were kept', { cause: this.compileFailure(error, 0).cause });
    }
    const old = [...this.pool.workers].filter((w) => w.state === 'starting' || w.state === 'ready');
    for (const worker of old) {
      let lastExit: Error | undefined;
      let attempts = 0;
      // the old worker may also end on its own meanwhile (a crash, a kill); the pool then replaces it with the new code anyway
      while (worker.state === 'starting' || worker.state === 'ready') {
        if (!this.life.is('starting', 'running')) throw this.failureError ?? new SupervisorClosedError('The supervisor closed during reload()');
        if (attempts === RELOAD_ATTEMPTS) break;
        const replacement = worker.replacedBy ?? this.pool.replace(worker, 'reload', 'reload');
        if (!replacement) break;
        attempts++;
        lastExit = await this.waitReplacement(replacement);
        if (!this.life.is('starting', 'running')) throw this.failureError ?? new SupervisorClosedError('The supervisor closed during reload()');
        if (!lastExit) break;
      }
      if (lastExit) {
        throw new ReloadError(
          `reload() failed: ${attempts} replacement worker${attempts === 1 ? '' : 's'} in a row did not start; the workers not yet replaced were kept`,
          { cause: lastExit },
        );
      }
      await worker.exited;
    }
  }

  /** Waits until a replacement is ready (undefined) or has ended (the error that says why). */
  private async waitReplacement(replacement: WorkerHandle): Promise<Error | undefined> {
    let why: Error | undefined;
    const onExit = (event: SupervisorEvents['worker:exit'][0]) => {
      if (event.workerId === replacement.id) why = new WorkerBootError({ module: this.options.workerPath, reason: event.reason, exitCode: event.exitCode, signal: event.signal, stderrTail: '' });
    };
    this.on('worker:exit', onExit);
    await Promise.race([replacement.readied, replacement.exited]);
    this.off('worker:exit', onExit);
    return replacement.state === 'exited' ? why : undefined;
  }

  /**
   * Graceful shutdown: takes no new jobs, finishes queued and in-flight ones
   * (for up to `timeout`, by default `drainTimeout`; the rest are then
   * rejected), sends every worker a shutdown frame and waits for it to exit,
   * killing those that do not within `killGrace`.
   */
  close(options: CloseOptions = {}): Promise<void> {
    return (this.closing ??= this.closeNow(options));
  }

  /** Rejects everything pending and kills the workers (and their process groups) at once. */
  async destroy(error: Error = new SupervisorClosedError('The supervisor was destroyed')): Promise<void> {
    this.life.to('stopping');
    this.jobs.rejectAll(error);
    this.emitSafe('close');
    await this.pool.stopAll('destroy', 0);
    this.finish();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async closeNow(options: CloseOptions): Promise<void> {
    const timeout = integerOption('timeout', options.timeout, 0, this.options.drainTimeout, true);
    if (this.life.to('draining')) {
      const idle = this.jobs.onIdle();
      if (timeout === Infinity) await idle;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
        clearTimeout(timer);
        this.jobs.rejectAll(new SupervisorClosedError(`The supervisor closed before the job finished (close timeout ${timeout} ms)`));
      }
    }
    this.life.to('stopping');
    this.emitSafe('close');
    await this.pool.stopAll('close', this.options.killGrace + 1000);
    this.finish();
  }

  private finish(): void {
    this.pool.dispose();
    this.compiled.dispose();
    this.life.to('closed');
  }

  /** What the jobs of a dead worker get instead of a retry: the failure, or a closed error once nothing will run them. */
  private orphanFailure(): Error | undefined {
    if (this.failureError) return this.failureError;
    if (this.life.is('stopping', 'closed')) return new SupervisorClosedError('The supervisor closed before the job finished');
    return undefined;
  }

  /**
   * Emits an event; a listener that throws cannot break the supervisor's own bookkeeping. Its error is logged, or,
   * with no logger, made a process warning: a bug in the app's listener must not vanish.
   */
  private emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      reportListenerError(this.options, this.log, event, error);
    }
  }

  /** Compiles a TypeScript module once for all workers; JavaScript modules are loaded as they are. */
  private async prepareModule(): Promise<void> {
    this.pool.module = await prepareWorkerModule(this.options.worker, this.compiled);
  }

  /** A module that does not compile: no worker could ever start. */
  private compileFailure(error: unknown, restarts: number): CrashLoopError {
    const why = `it does not compile: ${describeCompileError(error)}`;
    const bootError = new WorkerBootError({ module: this.options.workerPath, reason: why, exitCode: null, signal: null, stderrTail: '' }, { cause: error });
    return new CrashLoopError(
      { restarts, windowMs: this.options.restartWindow, reason: `module ${this.options.workerPath} failed to boot: ${why}`, exitCode: null, signal: null, stderrTail: '' },
      { cause: bootError },
    );
  }

  /** Enters the failed state: every pending job rejects with `error`, workers are stopped. */
  private fail(error: CrashLoopError | UnsafeCacheDirError): void {
    if (!this.life.to('failed')) return;
    this.failureError = error;
    // the failure reaches the caller as every job's rejection, the `failed` event and `failure`; a record of it at
    // error level would say it a second time (the CLI prints it once, itself)
    this.log.debug({ err: error }, 'supervisor failed');
    this.jobs.rejectAll(error);
    this.pool.killAll('failed', 'the supervisor failed');
    this.emitSafe('failed', error);
  }
}

/**
 * Creates a supervisor and starts its workers. Give it the worker module's type,
 * `createSupervisor<typeof import('./workers/resize.js')>(…)`, for typed jobs.
 */
export function createSupervisor<Module = any>(options: SupervisorOptions): Supervisor<Module> {
  return new Supervisor(options);
}
