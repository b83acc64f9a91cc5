/*
 * Cancelling a queue job from anywhere. BullMQ's Worker.cancelJob() aborts a
 * job only in the process that runs it; a producer does not know which host
 * that is. So cancelQueueJob() removes a job that has not started, and
 * publishes a running one's id on a Redis channel every supervise host of that
 * queue listens to; the host that runs it aborts its ctx.signal.
 */
import type { Queue } from 'bullmq';

export type CancelResult = 'removed' | 'signalled' | 'finished' | 'missing';

/** The pub/sub channel of a queue's cancel requests. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:supervise:cancel`;
}

interface CancelMessage {
  jobId: string;
  reason?: string;
}

/** Parses a message from the cancel channel; anything malformed is ignored (undefined). */
export function parseCancelMessage(text: string): CancelMessage | undefined {
  try {
    const message = JSON.parse(text) as Partial<CancelMessage>;
    if (typeof message?.jobId !== 'string') return undefined;
    return { jobId: message.jobId, reason: typeof message.reason === 'string' ? message.reason : undefined };
  } catch {
    return undefined;
  }
}

const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/**
 * Cancels a queue job run by `supervise/bullmq` hosts: one that waits is removed ('removed'); one that runs has
 * its ctx.signal aborted on whichever host runs it and then fails without retry ('signalled'). A job already
 * completed or failed is left alone ('finished').
 */
export async function cancelQueueJob(queue: Queue, jobId: string, reason?: string): Promise<CancelResult> {
  const job = await queue.getJob(jobId);
  if (!job) return 'missing';
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') return 'finished';
  if (NOT_STARTED.has(state)) {
    try {
      await job.remove();
      return 'removed';
    } catch {
      // it started meanwhile (locked): signal it
    }
  }
  const client = (await queue.getBackend().client) as unknown as { publish(channel: string, message: string): Promise<number> };
  const message: CancelMessage = reason === undefined ? { jobId } : { jobId, reason };
  await client.publish(cancelChannel(queue.opts.prefix ?? 'bull', queue.name), JSON.stringify(message));
  return 'signalled';
}
