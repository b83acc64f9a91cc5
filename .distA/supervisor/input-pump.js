/*
 * Feeds a job's `input` to the worker running it: reads the caller's source
 * only while the worker has credit (it gives one back per chunk its handler
 * takes), so a slow handler pauses the source. Stops when the job settles or
 * its worker changes; a source that throws ends the input with that error.
 */
import { STREAM_WINDOW, SentChunks, checkFrameSize, chunkBytes, encodeWireValue } from '../protocol/index.js';
export function pumpInput(job, worker, maxFrameSize) {
    const source = job.options.input;
    const flow = job.flow;
    flow.inputCredits = STREAM_WINDOW;
    flow.inputUnread = new SentChunks();
    const current = () => job.worker === worker && !job.settled;
    let iterator;
    void (async () => {
        try {
            // one iterator per job: a retry (possible only while nothing was read) continues the same source.
            // Opened in here, so a source that throws as it opens fails the input, not the dispatch.
            iterator = flow.inputIterator ??=
                Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
            for (;;) {
                while ((flow.inputCredits === 0 || flow.inputUnread.full) && current())
                    await new Promise((resolve) => (flow.onInputCredit = resolve));
                flow.onInputCredit = undefined;
                if (!current())
                    break;
                // from here on the source is consumed: the job will not be retried
                flow.inputSent++;
                const step = await iterator.next();
                if (!current())
                    break;
                if (step.done) {
                    worker.endInput(job.id);
                    return;
                }
                const { enc, data } = encodeWireValue(step.value);
                checkFrameSize(data, 0, maxFrameSize, 'input chunk');
                flow.inputCredits--;
                flow.inputUnread.sent(chunkBytes(data));
                worker.sendInput(job.id, enc, data);
            }
            // the job ended before its input did: let the source clean up
            if (job.settled)
                await iterator.return?.();
        }
        catch (error) {
            if (current())
                worker.endInput(job.id, error);
            else if (job.settled)
                await Promise.resolve(iterator?.return?.()).catch(() => { });
        }
    })();
}
//# sourceMappingURL=input-pump.js.map