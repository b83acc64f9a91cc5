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
import { OptionError, SupervisorClosedError } from '../errors.js';
import { Lifecycle, type Moves } from '../lifecycle.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption } from '../supervisor/options.js';
import { Supervisor, type SupervisorStats } from '../supervisor/supervisor.js';
import { cancelChannel } from './cancel.js';
import { createErrorThrottle } from './error-throttle.js';
import { listenForCancels, type CancelListener } from './cancel-listener.js';
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

/** ms BullMQ's Worker gets to close after the pool has: its Redis connections may be down; then they are cut. */
const WORKER_CLOSE_SLACK = 10_000;
/** ms it gets after its connections were cut; close() then gives up waiting on it. */
const DISCONNECT_SLACK = 2_000;

export interface QueueWorkerEvents {
  /** The pool failed (crash loop, boot failure): fetching stopped and running jobs went back to the queue. */
  failed: [Error];
}

export interface QueueWorkerStats extends SupervisorStats {
  queueState: QueueWorkerState;
  /** BullMQ's concurrency: the queue jobs this host holds at most. */
  queueConcurrency: number;
}

/**
 * Redis answers a SELECT of a database it does not have with an error, and the driver then carries on in
 * database 0: a host would silently take jobs from another queue than the one asked for. So the database is
 * selected once more, now that the connection is up, and a refusal fails the start.
 */
async function checkDatabase(worker: Worker, db: unknown): Promise<void> {
  if (typeof db !== 'number' || db === 0) return;
  const client = (await worker.getBackend().client) as unknown as { select(db: number): Promise<unknown> };
  try {
    await client.select(db);
  } catch (error) {
    throw new OptionError(`Invalid \`connection\`: Redis has no database ${db} (${(error as Error)?.message ?? String(error)})`);
  }
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
  private cancels: CancelListener | undefined;
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
    this.cancels = listenForCancels(worker, cancelChannel(prefix, queue), this.supervisor.log);
    await this.cancels.ready;
    await checkDatabase(worker, connection.db);
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
    // a start still under way ends now; a BullMQ worker it created meanwhile is closed too (close() is idempotent)
    const started = this.starting.catch(() => {}).then(() => this.worker?.close());
    await this.closeWorker(Promise.all([workerClosed, started]));
    this.cancels?.stop();
    this.life.to('closed');
  }

  /**
   * Waits for BullMQ's Worker (and a start still under way) to finish; every job has settled in the pool by now,
   * so only Redis can hold it up: its last results and hand-backs wait in the driver's queue while Redis is
   * away, and so does a subscription. After the slack the connections are cut (which fails what waits on them,
   * when BullMQ can reach its connections at all), and close() gives up on it soon after: jobs whose outcome was
   * not recorded return to the queue when their locks expire. Never waits forever.
   */
  private async closeWorker(closed: Promise<unknown> | undefined): Promise<void> {
    if (!closed) return;
    if (await settlesWithin(closed, WORKER_CLOSE_SLACK)) return;
    this.supervisor.log.warn(`queue ${this.queue}: BullMQ's worker did not close within ${WORKER_CLOSE_SLACK} ms (is Redis reachable?); cutting its connections`);
    this.cancels?.stop();
    await settlesWithin(this.worker?.disconnect() ?? Promise.resolve(), DISCONNECT_SLACK);
    if (!(await settlesWithin(closed, DISCONNECT_SLACK))) this.supervisor.log.warn(`queue ${this.queue}: gave up waiting for BullMQ's worker to close`);
  }

  /** The pool failed: fetch nothing more; the supervisor has rejected the running jobs, which the processor hands back. */
  private poolFailed(error: Error): void {
    this.failure = error;
    if (!this.life.to('failed')) return;
    void this.worker?.close().catch(() => {});
    this.emit('failed', error);
  }
}

/** True when `promise` settles (either way) within `ms`; false when it is still pending then. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  const settled = await Promise.race([promise.then(() => true, () => true), late]);
  clearTimeout(timer);
  return settled;
}

/** Creates a queue worker: a supervisor whose jobs come from the BullMQ queue `queue`. */
export function createQueueWorker(queue: string, options: QueueWorkerOptions): QueueWorker {
  return new QueueWorker(queue, options);
}
