/*
 * The pool of worker processes, run like Gunicorn's arbiter: three steps,
 * each in a module of its own, carried out here.
 *
 *   reap    a worker exited: classify it and decide (exit-policy.ts), hand its jobs back
 *   murder  on a timer: kill the workers that must go (murder.ts)
 *   manage  spawn or retire workers to reach the target size (manage.ts)
 *
 * The pool knows workers, not jobs: what happens to the jobs a worker held
 * is the supervisor's (PoolHost.onOrphans).
 */
import type { SuperviseLogger } from './log.js';
import type { DroppedOutput } from './worker-output.js';
import { CrashLoopError, type UnsafeCacheDirError, type WorkerBootError } from '../errors.js';
import type { PreparedModule } from './compile.js';
import { classifyExit, decideExit, EMPTY_HISTORY, recentCrashes, type ExitCause, type ExitHistory, type StopOrder } from './exit-policy.js';
import type { SupervisorEvents } from './events.js';
import type { Job } from './job.js';
import { planSize } from './manage.js';
import { findVictims } from './murder.js';
import type { ResolvedOptions } from './options.js';
import { WorkerHandle, type WorkerExitInfo, type WorkerOwner } from './worker-handle.js';

/** What the pool needs from the supervisor that owns it. @internal */
export interface PoolHost {
  readonly log: SuperviseLogger;
  emitSafe<K extends keyof SupervisorEvents & string>(event: K, ...args: SupervisorEvents[K]): void;
  /** A worker became ready or a slot freed: parked jobs can go. */
  pump(): void;
  /** A worker said hello. */
  onReady(worker: WorkerHandle): void;
  /** A worker stopped taking jobs: its jobs no longer hold slots of the overall concurrency. */
  onDraining(worker: WorkerHandle): void;
  /** A worker ended with these jobs unanswered. */
  onOrphans(jobs: Job[], worker: WorkerHandle, exit: WorkerExitInfo, cause: ExitCause): void;
  /** The exit policy gave up on the pool, or the compiled module can no longer be trusted. */
  onFailed(error: CrashLoopError | UnsafeCacheDirError): void;
  /** Serve mode: called with each worker right after it is spawned. */
  onSpawn?(worker: WorkerHandle): void;
}

/** @internal */
export class Pool implements WorkerOwner {
  readonly workers = new Set<WorkerHandle>();
  target: number;
  /** No spawns, no restarts: the supervisor is stopping or failed. */
  stopped = false;
  everReady = false;
  restarts = 0;
  recycled = 0;
  private history: ExitHistory = EMPTY_HISTORY;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** Recycles to try again after a replacement failed to start. */
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private nextWorkerId = 1;
  private readonly murderTimer: NodeJS.Timeout;

  constructor(
    private readonly host: PoolHost,
    private readonly options: ResolvedOptions,
    /** What workers load; set once the module is compiled. */
    public module: PreparedModule | undefined,
    private readonly ipc: boolean,
  ) {
    this.target = options.workers;
    const every = Math.min(options.heartbeatInterval || 1000, options.startTimeout, options.drainTimeout || 1000, 1000);
    this.murderTimer = setInterval(() => this.murder(), Math.max(every, 10));
    this.murderTimer.unref();
  }

  get log(): SuperviseLogger {
    return this.host.log;
  }

  count(state: WorkerHandle['state']): number {
    let n = 0;
    for (const worker of this.workers) if (worker.state === state) n++;
    return n;
  }

  // ── manage ─────────────────────────────────────────────────────────

  /** Spawns or retires workers until the pool matches its target size. */
  manage(): void {
    if (!this.module || this.stopped) return;
    const plan = planSize(this.workers, this.target, this.restartTimers.size);
    for (let i = 0; i < plan.cancelRestarts; i++) {
      const [timer] = this.restartTimers;
      clearTimeout(timer);
      this.restartTimers.delete(timer);
    }
    for (const worker of plan.retire) this.retire(worker, 'resize', 'the pool shrank');
    for (let i = 0; i < plan.spawn; i++) if (!this.spawn()) return;
  }

  /** Starts a worker; undefined when the module it would load failed its check (the supervisor then fails). */
  spawn(): WorkerHandle | undefined {
    try {
      // right before each spawn: a compiled file swapped since it was written is never run
      this.module!.verify();
    } catch (error) {
      this.host.onFailed(error as UnsafeCacheDirError);
      return undefined;
    }
    const { maxJobsPerWorker } = this.options;
    const jitter = maxJobsPerWorker === Infinity ? Infinity : Math.max(1, Math.round(maxJobsPerWorker * (0.9 + Math.random() * 0.2)));
    const worker = new WorkerHandle(this.nextWorkerId++, this, this.options, jitter, this.module!, this.ipc);
    this.workers.add(worker);
    if (worker.pid !== undefined) this.host.onSpawn?.(worker);
    this.host.emitSafe('worker:spawn', { workerId: worker.id, pid: worker.pid });
    return worker;
  }

  /** Stops sending a worker jobs and lets it exit after its in-flight ones (within drainTimeout). */
  retire(worker: WorkerHandle, order: StopOrder, reason: string): void {
    if (worker.state === 'exited' || worker.state === 'stopping' || worker.state === 'draining') return;
    worker.drain(order, reason);
    this.host.onDraining(worker);
  }

  /**
   * Starts a replacement for `worker`; the old one keeps serving until the
   * replacement is ready, then drains. No capacity dip. Returns the
   * replacement, or undefined when one is already starting.
   */
  replace(worker: WorkerHandle, order: 'recycle' | 'reload', reason: string): WorkerHandle | undefined {
    if (this.stopped || worker.replacedBy || (worker.state !== 'ready' && worker.state !== 'starting')) return undefined;
    const replacement = this.spawn();
    if (!replacement) return undefined;
    replacement.replaces = worker;
    worker.replacedBy = replacement;
    worker.replaceOrder = { order, reason };
    return replacement;
  }

  /** Recycles a worker (maxJobsPerWorker, maxMemory) through a replacement. */
  recycle(worker: WorkerHandle, reason: string): void {
    if (worker.state !== 'ready' || worker.replacedBy || this.stopped) return;
    // a worker whose earlier replacement failed to start is already counted and announced
    if (!worker.replaceOrder) {
      this.recycled++;
      this.log.info({ workerId: worker.id, pid: worker.pid, reason }, 'recycling worker');
      this.host.emitSafe('worker:recycle', { workerId: worker.id, pid: worker.pid, reason });
    }
    this.replace(worker, 'recycle', `recycle: ${reason}`);
  }

  /**
   * A replacement died before it was ready. A reload tries again itself; a
   * recycle is tried again after `delay`, since the old worker may never be
   * given another job to trigger it (all its slots held by hung jobs).
   */
  private retryRecycle(old: WorkerHandle, delay: number): void {
    if (old.replaceOrder?.order !== 'recycle') return;
    const reason = old.replaceOrder.reason;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (old.state === 'ready' && !old.replacedBy && !this.stopped) this.replace(old, 'recycle', reason);
    }, delay);
    this.retryTimers.add(timer);
  }

  // ── murder ─────────────────────────────────────────────────────────

  private murder(): void {
    for (const { worker, order, reason } of findVictims(this.workers, Date.now(), this.options)) worker.kill(order, reason);
  }

  // ── reap ───────────────────────────────────────────────────────────

  /** @internal */
  onExit(worker: WorkerHandle, exit: WorkerExitInfo): void {
    this.workers.delete(worker);
    const stranded = worker.replaces;
    this.unlink(worker);
    const cause = classifyExit(exit);
    const expected = cause.kind === 'ordered' && exit.order !== 'cancel' && exit.order !== 'heartbeat' && exit.order !== 'drain-deadline';
    this.log[expected ? 'debug' : 'warn']({ workerId: worker.id, pid: worker.pid, exitCode: exit.exitCode, signal: exit.signal, cause: cause.kind }, `worker ${exit.reason}`);
    this.host.emitSafe('worker:exit', {
      workerId: worker.id,
      pid: worker.pid,
      exitCode: exit.exitCode,
      signal: exit.signal,
      reason: exit.reason,
      expected,
      cause: cause.kind,
    });
    // in id order, for their retries: the order they were submitted in, except across the wrap of ids at 2³² − 1
    const orphans = worker.inFlight.values().sort((a, b) => a.id - b.id);
    worker.inFlight.clear();
    if (!this.stopped) {
      const delay = this.decide(cause, exit);
      if (stranded && delay !== undefined) this.retryRecycle(stranded, Math.max(delay, this.options.restartDelay));
    }
    this.host.onOrphans(orphans, worker, exit, cause);
    this.host.pump();
  }

  /** Applies the exit policy's decision: replace now, replace after a backoff, or fail the pool; returns the delay, if any. */
  private decide(cause: ExitCause, exit: WorkerExitInfo): number | undefined {
    const now = Date.now();
    const { decision, history } = decideExit(cause, this.history, { now, everReady: this.everReady }, this.options);
    this.history = history;
    if (cause.kind !== 'ordered') this.restarts++;
    if (decision.action === 'fail') {
      const restarts = this.everReady ? recentCrashes(history, now, this.options.restartWindow) : 0;
      const error = new CrashLoopError(
        { restarts, windowMs: this.options.restartWindow, reason: exit.reason, exitCode: exit.exitCode, signal: exit.signal, stderrTail: exit.stderrTail },
        { cause: exit.bootError as WorkerBootError | undefined },
      );
      this.host.onFailed(error);
      return undefined;
    }
    if (decision.delay === 0) {
      this.manage();
      return 0;
    }
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      this.manage();
    }, decision.delay);
    this.restartTimers.add(timer);
    return decision.delay;
  }

  /** Forgets the replacement links of a worker that ended. */
  private unlink(worker: WorkerHandle): void {
    if (worker.replaces) worker.replaces.replacedBy = undefined;
    if (worker.replacedBy) worker.replacedBy.replaces = undefined;
    worker.replaces = undefined;
    worker.replacedBy = undefined;
  }

  // ── what worker handles report ─────────────────────────────────────

  /** @internal */
  onReady(worker: WorkerHandle): void {
    this.everReady = true;
    this.host.onReady(worker);
    this.host.emitSafe('worker:ready', { workerId: worker.id, pid: worker.pid });
    if (this.stopped) {
      worker.drain('close', 'the supervisor is stopping');
      return;
    }
    const old = worker.replaces;
    if (old) {
      const { order, reason } = old.replaceOrder ?? { order: 'recycle' as const, reason: 'replaced' };
      worker.replaces = undefined;
      old.replacedBy = undefined;
      this.retire(old, order, reason);
    }
    this.host.pump();
  }

  /** @internal */
  onSlotFreed(): void {
    this.host.pump();
  }

  /** @internal */
  onOutputDropped(worker: WorkerHandle, drop: DroppedOutput): void {
    this.host.emitSafe('worker:output-dropped', { workerId: worker.id, pid: worker.pid, ...drop });
  }

  /** @internal */
  onHeartbeat(worker: WorkerHandle): void {
    if (worker.rss > this.options.maxMemory) this.recycle(worker, `RSS ${worker.rss} bytes is over maxMemory (${this.options.maxMemory})`);
  }

  // ── stopping ───────────────────────────────────────────────────────

  /** No more spawns or restarts. */
  halt(): void {
    this.stopped = true;
    for (const timer of [...this.restartTimers, ...this.retryTimers]) clearTimeout(timer);
    this.restartTimers.clear();
    this.retryTimers.clear();
  }

  /**
   * Stops every worker: a shutdown frame (or SIGKILL at once when `grace` is
   * 0), then SIGKILL for any still alive after `grace` ms. Resolves when all
   * have exited.
   */
  async stopAll(order: StopOrder, grace: number): Promise<void> {
    this.halt();
    const workers = [...this.workers];
    for (const worker of workers) {
      if (grace > 0) this.retire(worker, order, 'the supervisor is stopping');
      else worker.forceKill(order, 'the supervisor is stopping now');
    }
    const exited = Promise.all(workers.map((w) => w.exited));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const worker of workers) worker.forceKill(order, `it did not exit within ${grace} ms of the shutdown`);
        resolve();
      }, grace);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    await exited;
  }

  /** Kills every worker now (the pool failed). */
  killAll(order: StopOrder, reason: string): void {
    this.halt();
    for (const worker of this.workers) worker.kill(order, reason);
  }

  dispose(): void {
    this.halt();
    clearInterval(this.murderTimer);
  }
}
