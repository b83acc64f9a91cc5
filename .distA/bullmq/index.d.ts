export { createQueueWorker, QueueWorker, type QueueWorkerState, type QueueWorkerStats, type QueueWorkerEvents } from './queue-worker.js';
export type { QueueWorkerOptions, QueueConnection } from './options.js';
export type { QueueJobMeta } from './processor.js';
export { cancelQueueJob, cancelChannel, type CancelResult } from './cancel.js';
export { QueuePeerMissingError, QueueRoutingError, QueueJobCancelledError } from './errors.js';
export { decideOutcome, type Outcome, type FailedRun } from './outcome.js';
