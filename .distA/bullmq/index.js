// `supervise/bullmq`: a supervisor pool as the execution engine behind a BullMQ queue. Needs `bullmq` and `ioredis`.
export { createQueueWorker, QueueWorker } from './queue-worker.js';
export { cancelQueueJob, cancelChannel } from './cancel.js';
export { QueuePeerMissingError, QueueRoutingError, QueueJobCancelledError } from './errors.js';
export { decideOutcome } from './outcome.js';
//# sourceMappingURL=index.js.map