import { SuperviseError } from '../errors.js';
/** The optional peer dependency `bullmq` (with its Redis driver `ioredis`) is not installed. */
export declare class QueuePeerMissingError extends SuperviseError {
    constructor(what: string, options?: {
        cause?: unknown;
    });
}
/** A queue job whose name matches no handler, in a module without a default export: retrying cannot help. */
export declare class QueueRoutingError extends SuperviseError {
    constructor(jobName: string, cause: unknown);
}
/** A queue job cancelled through `cancelQueueJob()`: it fails without retry. */
export declare class QueueJobCancelledError extends SuperviseError {
    constructor(jobId: string, reason: string | undefined);
}
