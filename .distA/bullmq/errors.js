// Coded errors of `supervise/bullmq`; they extend SuperviseError so callers branch on `code` as everywhere else.
import { SuperviseError } from '../errors.js';
/** The optional peer dependency `bullmq` (with its Redis driver `ioredis`) is not installed. */
export class QueuePeerMissingError extends SuperviseError {
    constructor(what, options) {
        super('ERR_BULLMQ_MISSING', `supervise/bullmq needs the optional peer dependency ${what}; install it with \`npm install bullmq ioredis\``, options);
        this.name = 'QueuePeerMissingError';
    }
}
/** A queue job whose name matches no handler, in a module without a default export: retrying cannot help. */
export class QueueRoutingError extends SuperviseError {
    constructor(jobName, cause) {
        super('ERR_UNKNOWN_HANDLER', `Queue job name \`${jobName}\` matches no handler of the worker module, and it has no default export`, { cause });
        this.name = 'QueueRoutingError';
    }
}
/** A queue job cancelled through `cancelQueueJob()`: it fails without retry. */
export class QueueJobCancelledError extends SuperviseError {
    constructor(jobId, reason) {
        super('ABORT_ERR', `Queue job ${jobId} was cancelled${reason ? `: ${reason}` : ''}`);
        this.name = 'QueueJobCancelledError';
    }
}
//# sourceMappingURL=errors.js.map