/*
 * A queue worker: a supervisor whose jobs come from a BullMQ queue on Redis.
 *
 *   Redis ◄──fetch (concurrency = pool capacity)── BullMQ Worker ──processor.ts──► Supervisor ══fd 3══► worker processes
 *     ▲                                                 │
 *     └── completed / failed / handed back (moveToWait) ┘      cancel channel (pub/sub) ──► worker.cancelJob ──► ctx.signal
 *
 * Its lifecycle:
 *
 *   starting ──pool ready, BullMQ worker running──► running ──close()──► closing ──► closed
 *       │                                              │
 *       └────────── the pool fails (crash loop, boot failure) ──► failed (jobs handed back; close() still cleans up)
 *
 * The BullMQ Worker is created only once every pool worker is ready: a module
 * that cannot load fails the pool before any job is fetched.
 */
import type { Worker } from 'bullmq';
import { SupervisorClosedError } from '../errors.js';
import { Lifecycle, type Moves } from '../lifecycle.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption } from '../supervisor/options.js';
import { Supervisor, type SupervisorStats } from '../supervisor/supervisor.js';
import { cancelChannel } from './cancel.js';
import { createErrorThrottle } from './error-throttle.js';
import { listenForCancels } from './cancel-listener.js';
import { loadBullmq } from './load-bullmq.js';
import { resolveQueueOptions, type QueueWorkerOptions, type ResolvedQueueOptions } from './options.js';
import { createProcessor } from './processor.js';

export type QueueWorkerState = 'starting' | 'running' | 'closing' | 'closed' | 'failed';

const MOVES: Moves<QueueWorkerState> = {
  starting: ['running', 'closing', 'failed'],
  running: ['closing', 'failed'],
  closing: ['closed', 'failed'],
  failed: ['closed'],
  closed: [],
};

/** ms BullMQ's Worker gets to close after the pool has: its Redis connections may be down; then it is forced. */
const WORKER_CLOSE_SLACK = 10_000;

export interface QueueWorkerEvents {
  /** The pool failed (crash loop, boot failure): fetching stopped and running jobs went back to the queue. */
  failed: [Error];
}

export interface QueueWorkerStats extends SupervisorStats {
  queueState: QueueWorkerState;
  /** BullMQ's concurrency: the queue jobs this host holds at most. */
  queueConcurrency: number;
}

export class QueueWorker extends TypedEmitter<QueueWorkerEvents> {
  readonly queue: string;
  readonly supervisor: Supervisor;
  /** BullMQ's Worker, once the pool is ready. */
  worker: Worker | undefined;
  private readonly resolved: ResolvedQueueOptions;
  private readonly life = new Lifecycle<QueueWorkerState>(MOVES, 'starting');
  private readonly starting: Promise<void>;
  private readonly routedToDefault = new Set<string>();
  private closing: Promise<void> | undefined;
  private stopCancels: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(queue: string, options: QueueWorkerOptions) {
    super();
    this.resolved = resolveQueueOptions(queue, options);
    this.queue = queue;
    this.supervisor = new Supervisor(this.resolved.supervisor);
    this.supervisor.on('failed', (error) => this.poolFailed(error));
    this.supervisor.on('resize', ({ capacity }) => {
      if (this.worker) this.worker.concurrency = capacity;
    });
    this.starting = this.start();
    this.starting.catch(() => {}); // ready() reports it
  }

  get state(): QueueWorkerState {
    return this.life.state;
  }

  /** Resolves once the pool is ready and jobs are being fetched; rejects when the pool cannot start. */
  ready(): Promise<void> {
    return this.starting;
  }

  private async start(): Promise<void> {
    const bullmq = await loadBullmq();
    await this.supervisor.ready();
    if (!this.life.is('starting')) throw this.failure ?? new SupervisorClosedError('The queue worker closed before it started');
    const { queue, connection, bullmq: workerOptions, prefix } = this.resolved;
    const processor = createProcessor({
      supervisor: this.supervisor,
      queue,
      errors: bullmq,
      log: this.supervisor.log,
      stopping: () => !this.life.is('starting', 'running'),
      routedToDefault: this.routedToDefault,
    });
    const worker = new bullmq.Worker(queue, processor, { ...workerOptions, connection, concurrency: this.supervisor.capacity, autorun: false });
    this.worker = worker;
    // Redis going away is reported here; BullMQ reconnects and carries on by itself
    worker.on('error', createErrorThrottle(this.supervisor.log, `queue ${queue}`));
    this.stopCancels = await listenForCancels(worker, cancelChannel(prefix, queue), this.supervisor.log);
    if (!this.life.to('running')) throw this.failure ?? new SupervisorClosedError('The queue worker closed before it started');
    worker.run().catch((error: unknown) => this.supervisor.log.error({ err: error }, `queue ${queue}: the BullMQ worker stopped`));
    this.supervisor.log.info(`queue ${queue}: fetching up to ${worker.concurrency} jobs at a time`);
  }

  /** Changes the pool size; BullMQ's concurrency follows. */
  resize(workers: number): void {
    this.supervisor.resize(workers);
  }

  /** Rolling restart of the pool's workers (after a code change); jobs keep running. */
  reload(): Promise<void> {
    this.routedToDefault.clear();
    return this.supervisor.reload();
  }

  stats(): QueueWorkerStats {
    return { ...this.supervisor.stats(), queueState: this.life.state, queueConcurrency: this.worker?.concurrency ?? 0 };
  }

  /**
   * Stops fetching, lets running jobs finish for up to `timeout` ms (default: the pool's drainTimeout), hands the
   * rest back to the queue without spending an attempt, and stops the pool and the Redis connections.
   */
  close(options: { timeout?: number } = {}): Promise<void> {
    return (this.closing ??= this.closeNow(integerOption('timeout', options.timeout, 0, this.supervisor.options.drainTimeout, true)));
  }

  private async closeNow(timeout: number): Promise<void> {
    this.life.to('closing');
    const workerClosed = this.worker?.close();
    await this.supervisor.close({ timeout });
    await this.closeWorker(workerClosed);
    await this.starting.catch(() => {});
    await this.closeWorker(this.worker?.close()); // one created while the pool drained (close() resolves at once when it ran already)
    this.stopCancels?.();
    this.life.to('closed');
  }

  /** Waits for BullMQ's Worker to close; every job it holds has settled by now, so only Redis can hold it up. */
  private async closeWorker(closed: Promise<void> | undefined): Promise<void> {
    if (!closed) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, WORKER_CLOSE_SLACK, 'late')));
    const outcome = await Promise.race([closed.then(() => 'closed' as const, () => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.supervisor.log.warn(`queue ${this.queue}: BullMQ's worker did not close within ${WORKER_CLOSE_SLACK} ms; forcing it`);
      await this.worker?.close(true).catch(() => {});
    }
  }

  /** The pool failed: fetch nothing more; the supervisor has rejected the running jobs, which the processor hands back. */
  private poolFailed(error: Error): void {
    this.failure = error;
    if (!this.life.to('failed')) return;
    void this.worker?.close().catch(() => {});
    this.emit('failed', error);
  }
}

/** Creates a queue worker: a supervisor whose jobs come from the BullMQ queue `queue`. */
export function createQueueWorker(queue: string, options: QueueWorkerOptions): QueueWorker {
  return new QueueWorker(queue, options);
}
