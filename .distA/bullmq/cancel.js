/** The pub/sub channel of a queue's cancel requests. */
export function cancelChannel(prefix, queue) {
    return `${prefix}:${queue}:supervise:cancel`;
}
/** Parses a message from the cancel channel; anything malformed is ignored (undefined). */
export function parseCancelMessage(text) {
    try {
        const message = JSON.parse(text);
        if (typeof message?.jobId !== 'string')
            return undefined;
        return { jobId: message.jobId, reason: typeof message.reason === 'string' ? message.reason : undefined };
    }
    catch {
        return undefined;
    }
}
const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'paused']);
/**
 * Cancels a queue job run by `supervise/bullmq` hosts: one that waits is removed ('removed'); one that runs has
 * its ctx.signal aborted on whichever host runs it and then fails without retry ('signalled'). A job already
 * completed or failed is left alone ('finished').
 */
export async function cancelQueueJob(queue, jobId, reason) {
    const job = await queue.getJob(jobId);
    if (!job)
        return 'missing';
    const state = await job.getState();
    if (state === 'completed' || state === 'failed')
        return 'finished';
    if (NOT_STARTED.has(state)) {
        try {
            await job.remove();
            return 'removed';
        }
        catch {
            // it started meanwhile (locked): signal it
        }
    }
    const client = (await queue.getBackend().client);
    const message = reason === undefined ? { jobId } : { jobId, reason };
    await client.publish(cancelChannel(queue.opts.prefix ?? 'bull', queue.name), JSON.stringify(message));
    return 'signalled';
}
//# sourceMappingURL=cancel.js.map