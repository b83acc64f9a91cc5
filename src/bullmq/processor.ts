/*
 * The BullMQ processor: one queue job → one supervisor run → what BullMQ records.
 *
 *   BullMQ Worker ──job──► process(job, token, signal) ──sup.run(job.data, { name: job.name, meta, signal })──► worker process
 *        ▲                        │
 *        └── result, or ──────────┘  a failed run goes through decideOutcome (outcome.ts):
 *            fail / UnrecoverableError (cancelled, unroutable, unsendable) / moveToWait + WaitingError (handed back, no attempt spent)
 */
import type { Job } from 'bullmq';
import type { SuperviseLogger as Logger } from '../supervisor/log.js';
import type { JobLogRecord } from '../supervisor/options.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { QueueJobCancelledError, QueueRoutingError } from './errors.js';
import { decideOutcome } from './outcome.js';

/** What handlers read as `ctx.meta` for a queue job: enough to build an idempotency key. */
export interface QueueJobMeta {
  queue: string;
  /** The BullMQ job id. */
  jobId: string;
  /** The BullMQ job name (it chose the handler). */
  name: string;
  /** 1 for the first attempt, 2 for the first retry, ...: BullMQ's attemptsMade + 1. */
  attempt: number;
  /** Times BullMQ moved the job to active, counting runs that were handed back or lost with their host. */
  attemptsStarted: number;
}

/** The pieces of BullMQ the processor needs, loaded lazily by the queue worker. */
export interface BullmqErrors {
  UnrecoverableError: new (message?: string) => Error;
  WaitingError: new (message?: string) => Error;
}

export interface ProcessorDeps {
  supervisor: Supervisor;
  queue: string;
  errors: BullmqErrors;
  log: Logger;
  /** True once this host takes no more work (closing, closed, failed). */
  stopping: () => boolean;
  /** Job names found to match no handler: they run on the default export. */
  routedToDefault: Set<string>;
}

export type QueueProcessor = (job: Job, token: string | undefined, signal: AbortSignal | undefined) => Promise<unknown>;

/** Builds the processor function handed to BullMQ's Worker; it takes three parameters, so BullMQ gives it a cancel signal. */
export function createProcessor(deps: ProcessorDeps): QueueProcessor {
  return async (job, token, signal) => {
    const meta: QueueJobMeta = {
      queue: deps.queue,
      jobId: String(job.id),
      name: job.name,
      attempt: job.attemptsMade + 1,
      attemptsStarted: job.attemptsStarted,
    };
    let name = job.name === '' || deps.routedToDefault.has(job.name) ? 'default' : job.name;
    const onProgress = (value: unknown) => reportProgress(job, value, deps.log);
    const onLog = (record: JobLogRecord) => void appendLog(job, record, deps.log);
    for (;;) {
      try {
        return await deps.supervisor.run(job.data, { name, meta, signal, onProgress, onLog });
      } catch (error) {
        const outcome = decideOutcome({
          code: (error as { code?: unknown })?.code as string | undefined,
          cancelled: signal?.aborted === true,
          hostStopping: deps.stopping(),
          triedDefault: name === 'default',
        });
        if (outcome === 'route-default') {
          deps.routedToDefault.add(job.name);
          name = 'default';
          continue;
        }
        if (outcome === 'unroutable') throw new deps.errors.UnrecoverableError(new QueueRoutingError(job.name, error).message);
        if (outcome === 'unsendable') throw new deps.errors.UnrecoverableError((error as Error).message);
        if (outcome === 'cancel') {
          const reason = typeof signal?.reason === 'string' ? signal.reason : undefined;
          throw new deps.errors.UnrecoverableError(new QueueJobCancelledError(meta.jobId, reason).message);
        }
        if (outcome === 'hand-back') {
          await handBack(job, token, deps.log);
          throw new deps.errors.WaitingError();
        }
        throw error instanceof Error ? error : new Error(String(error));
      }
    }
  };
}

/** Puts a job this host could not run back at the head of the wait list; its failed-attempt count is untouched. */
async function handBack(job: Job, token: string | undefined, log: Logger): Promise<void> {
  try {
    await job.moveToWait(token);
    log.debug({ queueJobId: job.id }, 'queue job handed back');
  } catch (error) {
    // the lock is gone or Redis is: BullMQ's stalled check returns the job to the queue once the lock expires
    log.warn({ err: error, queueJobId: job.id }, 'could not hand the queue job back; it returns when its lock expires');
  }
}

/** ctx.log → job.log, one line a record: `warn: disk almost full {"free":12}` (the pool's own job id left out). */
async function appendLog(job: Job, record: JobLogRecord, log: Logger): Promise<void> {
  const { jobId: _poolJobId, ...fields } = record.fields;
  const extra = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
  try {
    await job.log(`${record.level}: ${record.msg ?? ''}${extra}`);
  } catch (error) {
    log.debug({ err: error, queueJobId: job.id }, 'log line not stored');
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[fields that are not JSON]';
  }
}

/** ctx.progress → job.updateProgress; run() waits for this promise, so a fast reporter is coalesced, not queued. */
async function reportProgress(job: Job, value: unknown, log: Logger): Promise<void> {
  if (value === undefined) return;
  try {
    await job.updateProgress(value as number | object);
  } catch (error) {
    log.debug({ err: error, queueJobId: job.id }, 'progress not stored');
  }
}
