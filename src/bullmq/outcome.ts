/*
 * What a failed run means for the queue job: a decision table, pure, tested alone.
 *
 *   why the run failed                                   decision        BullMQ
 *   ─────────────────────────────────────────────────    ────────────    ──────────────────────────────────
 *   cancelled (cancelQueueJob)                           cancel          failed, no retry (UnrecoverableError)
 *   host closing, pool failed, queue full,               hand-back       back to wait, no attempt spent
 *     or its worker killed while the host stops
 *   name matches no handler (default not yet tried)      route-default   run again on the default export
 *   name matches no handler, no default export           unroutable      failed, no retry (UnrecoverableError)
 *   payload or result cannot travel (too large, ...)     unsendable      failed, no retry (UnrecoverableError)
 *   handler threw, worker crashed, timed out, other      fail            failed attempt: attempts/backoff decide
 */

export type Outcome = 'cancel' | 'hand-back' | 'route-default' | 'unroutable' | 'unsendable' | 'fail';

export interface FailedRun {
  /** `code` of the error the run rejected with, if it has one. */
  code: string | undefined;
  /** The job's cancel signal had fired. */
  cancelled: boolean;
  /** The supervisor is closing, closed or failed: nothing more runs on this host. */
  hostStopping: boolean;
  /** The handler asked for was the default export. */
  triedDefault: boolean;
}

/** Codes that say the job never ran for reasons of this host, not of the job. */
const HOST_CODES = new Set(['ERR_SUPERVISOR_CLOSED', 'ERR_CRASH_LOOP', 'ERR_WORKER_BOOT', 'ERR_UNSAFE_CACHE_DIR', 'ERR_QUEUE_FULL']);

/** Codes that say the job's data or its result cannot cross the channel: the same data hits the same limit again. */
const PAYLOAD_CODES = new Set(['ERR_PAYLOAD_TOO_LARGE', 'ERR_PAYLOAD_UNSUPPORTED']);

/** Decides what happens to the queue job after its run failed. */
export function decideOutcome(run: FailedRun): Outcome {
  if (run.cancelled) return 'cancel';
  if (run.code !== undefined && HOST_CODES.has(run.code)) return 'hand-back';
  if (run.code !== undefined && PAYLOAD_CODES.has(run.code)) return 'unsendable';
  if (run.code === 'ERR_UNKNOWN_HANDLER') return run.triedDefault ? 'unroutable' : 'route-default';
  // a worker killed because the host is going away is the host's doing, not the job's
  if (run.hostStopping && run.code === 'ERR_WORKER_CRASHED') return 'hand-back';
  return 'fail';
}
