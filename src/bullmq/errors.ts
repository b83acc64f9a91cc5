// Coded errors of `supervise/bullmq`; they extend SuperviseError so callers branch on `code` as everywhere else.
import { SuperviseError } from '../errors.js';

/** The optional peer dependency `bullmq` (with its Redis driver `ioredis`) is not installed. */
export class QueuePeerMissingError extends SuperviseError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('ERR_MISSING_PEER', `supervise/bullmq needs the optional peer dependency ${what}; install it with \`npm install bullmq ioredis\``, options);
    this.name = 'QueuePeerMissingError';
  }
}

/** A queue job whose name matches no handler, in a module without a default export: retrying cannot help. */
export class QueueRoutingError extends SuperviseError {
  constructor(jobName: string, cause: unknown) {
    super('ERR_UNKNOWN_HANDLER', `Queue job name \`${jobName}\` matches no handler of the worker module, and it has no default export`, { cause });
    this.name = 'QueueRoutingError';
  }
}

/** A queue job cancelled through `cancelQueueJob()`: it fails without retry. */
export class QueueJobCancelledError extends SuperviseError {
  constructor(jobId: string, reason: string | undefined) {
    super('ABORT_ERR', `Queue job ${jobId} was cancelled${reason ? `: ${reason}` : ''}`);
    this.name = 'QueueJobCancelledError';
  }
}
