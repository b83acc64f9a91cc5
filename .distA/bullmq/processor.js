import { QueueJobCancelledError, QueueRoutingError } from './errors.js';
import { decideOutcome } from './outcome.js';
/** Builds the processor function handed to BullMQ's Worker; it takes three parameters, so BullMQ gives it a cancel signal. */
export function createProcessor(deps) {
    return async (job, token, signal) => {
        const meta = {
            queue: deps.queue,
            jobId: String(job.id),
            name: job.name,
            attempt: job.attemptsMade + 1,
            attemptsStarted: job.attemptsStarted,
        };
        let name = job.name === '' || deps.routedToDefault.has(job.name) ? 'default' : job.name;
        const onProgress = (value) => reportProgress(job, value, deps.log);
        for (;;) {
            try {
                return await deps.supervisor.run(job.data, { name, meta, signal, onProgress });
            }
            catch (error) {
                const outcome = decideOutcome({
                    code: error?.code,
                    cancelled: signal?.aborted === true,
                    hostStopping: deps.stopping(),
                    triedDefault: name === 'default',
                });
                if (outcome === 'route-default') {
                    deps.routedToDefault.add(job.name);
                    name = 'default';
                    continue;
                }
                if (outcome === 'unroutable')
                    throw new deps.errors.UnrecoverableError(new QueueRoutingError(job.name, error).message);
                if (outcome === 'cancel') {
                    const reason = typeof signal?.reason === 'string' ? signal.reason : undefined;
                    throw new deps.errors.UnrecoverableError(new QueueJobCancelledError(meta.jobId, reason).message);
                }
                if (outcome === 'hand-back') {
                    await handBack(job, token, deps.log);
                    throw new deps.errors.WaitingError();
                }
                throw error instanceof Error ? error : new Error(String(error));
            }
        }
    };
}
/** Puts a job this host could not run back at the head of the wait list; its failed-attempt count is untouched. */
async function handBack(job, token, log) {
    try {
        await job.moveToWait(token);
        log.debug({ queueJobId: job.id }, 'queue job handed back');
    }
    catch (error) {
        // the lock is gone or Redis is: BullMQ's stalled check returns the job to the queue once the lock expires
        log.warn({ err: error, queueJobId: job.id }, 'could not hand the queue job back; it returns when its lock expires');
    }
}
/** ctx.progress → job.updateProgress; run() waits for this promise, so a fast reporter is coalesced, not queued. */
async function reportProgress(job, value, log) {
    if (value === undefined)
        return;
    try {
        await job.updateProgress(value);
    }
    catch (error) {
        log.debug({ err: error, queueJobId: job.id }, 'progress not stored');
    }
}
//# sourceMappingURL=processor.js.map