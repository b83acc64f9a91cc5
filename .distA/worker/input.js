/*
 * A job's input stream on the worker side (`ctx.input`): chunks the
 * supervisor sends, read as an AsyncIterable. The supervisor sends at most the
 * credit window ahead; each chunk the handler takes gives one credit back, so
 * a slow handler pauses the caller's source instead of filling this queue.
 */
import { STREAM_WINDOW } from '../protocol/index.js';
import { ProtocolError } from '../errors.js';
export class InputQueue {
    giveCredit;
    chunks = [];
    ended = false;
    failure;
    wake;
    iterating = false;
    constructor(giveCredit) {
        this.giveCredit = giveCredit;
    }
    push(value) {
        if (this.ended)
            throw new ProtocolError('An input chunk arrived after the input ended', 'ERR_PROTOCOL_UNEXPECTED');
        if (this.chunks.length >= STREAM_WINDOW)
            throw new ProtocolError(`Input beyond the credit window of ${STREAM_WINDOW}`, 'ERR_PROTOCOL_CREDIT');
        this.chunks.push(value);
        this.notify();
    }
    end(failure) {
        this.ended = true;
        this.failure = failure;
        this.notify();
    }
    notify() {
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
    }
    async *[Symbol.asyncIterator]() {
        if (this.iterating)
            throw new TypeError('ctx.input can be read only once');
        this.iterating = true;
        for (;;) {
            if (this.chunks.length > 0) {
                const value = this.chunks.shift();
                this.giveCredit();
                yield value;
                continue;
            }
            if (this.ended) {
                if (this.failure)
                    throw this.failure;
                return;
            }
            await new Promise((resolve) => (this.wake = resolve));
        }
    }
}
/** ctx.input of a job that was given no input: ends at once. */
export const NO_INPUT = {
    async *[Symbol.asyncIterator]() { },
};
//# sourceMappingURL=input.js.map