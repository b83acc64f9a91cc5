import type { Queue } from 'bullmq';
export type CancelResult = 'removed' | 'signalled' | 'finished' | 'missing';
/** The pub/sub channel of a queue's cancel requests. */
export declare function cancelChannel(prefix: string, queue: string): string;
interface CancelMessage {
    jobId: string;
    reason?: string;
}
/** Parses a message from the cancel channel; anything malformed is ignored (undefined). */
export declare function parseCancelMessage(text: string): CancelMessage | undefined;
/**
 * Cancels a queue job run by `supervise/bullmq` hosts: one that waits is removed ('removed'); one that runs has
 * its ctx.signal aborted on whichever host runs it and then fails without retry ('signalled'). A job already
 * completed or failed is left alone ('finished').
 */
export declare function cancelQueueJob(queue: Queue, jobId: string, reason?: string): Promise<CancelResult>;
export {};
