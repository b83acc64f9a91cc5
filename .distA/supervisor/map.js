// Ordered, bounded mapping of many inputs onto jobs: the engine of `map()` and of the CLI's stdin mode.
/**
 * Runs a job per input and yields the outcomes in input order.
 *
 *   inputs ─► pump (pulls while fewer than `window` jobs are outstanding) ─► run() ─► outstanding[]
 *                                                                                       │ in order
 *   consumer ◄─ yield ◄─ await the oldest ◄─────────────────────────────────────────────┘
 *
 * The pump and the consumer are independent: a result is yielded as soon as
 * it and those before it are done, even while the next input is slow to come
 * (an interactive stdin), and inputs keep flowing while results are consumed.
 * At most `window` jobs are outstanding, so a million inputs take the memory
 * of `window`. Once the window is full, the pump resumes only when half of it
 * has drained, so the jobs of a burst are batched into one write. Breaking out
 * of the loop stops pulling inputs.
 */
export async function* mapInputs(run, inputs, window, settle) {
    const outstanding = [];
    let head = 0;
    let index = 0;
    let exhausted = false;
    let stopped = false;
    let pumpError;
    let wakePump;
    let wakeConsumer;
    const lowWater = Math.floor(window / 2);
    const isAsync = Symbol.asyncIterator in inputs;
    const iterator = (isAsync ? inputs[Symbol.asyncIterator]() : inputs[Symbol.iterator]());
    const submit = (payload) => {
        const i = index++;
        outstanding.push(run(payload).then((value) => ({ index: i, ok: true, value }), (error) => ({ index: i, ok: false, error })));
        const wake = wakeConsumer;
        wakeConsumer = undefined;
        wake?.();
    };
    const pump = async () => {
        try {
            while (!stopped) {
                if (outstanding.length - head >= window) {
                    await new Promise((resolve) => (wakePump = resolve));
                    continue;
                }
                // a sync iterable is pulled without an await per item
                const next = isAsync ? await iterator.next() : iterator.next();
                if (next.done || stopped)
                    break;
                submit(next.value);
            }
        }
        catch (error) {
            pumpError = { error };
        }
        finally {
            exhausted = true;
            const wake = wakeConsumer;
            wakeConsumer = undefined;
            wake?.();
        }
    };
    void pump();
    try {
        while (true) {
            if (head === outstanding.length) {
                if (exhausted) {
                    if (pumpError)
                        throw pumpError.error;
                    return;
                }
                await new Promise((resolve) => (wakeConsumer = resolve));
                continue;
            }
            const result = await outstanding[head];
            outstanding[head++] = undefined;
            if (head > 1024 && head * 2 > outstanding.length) {
                outstanding.splice(0, head);
                head = 0;
            }
            if (wakePump && outstanding.length - head <= lowWater) {
                const wake = wakePump;
                wakePump = undefined;
                wake();
            }
            if (settle)
                yield result;
            else if (result.ok)
                yield result.value;
            else
                throw result.error;
        }
    }
    finally {
        stopped = true;
        const wake = wakePump;
        wakePump = undefined;
        wake?.();
        if (!exhausted) {
            // a sync source is closed now (its finally blocks run); an async one may be waiting for input, so do not wait for it
            const closing = iterator.return?.();
            if (closing && typeof closing.then === 'function')
                closing.catch(() => { });
        }
    }
}
//# sourceMappingURL=map.js.map