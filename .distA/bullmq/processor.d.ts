import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Supervisor } from '../supervisor/supervisor.js';
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
export declare function createProcessor(deps: ProcessorDeps): QueueProcessor;
