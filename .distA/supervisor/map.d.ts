export interface MapOptions {
    /** Handler to call. @default 'default' */
    name?: string;
    /** Per-job timeout override, ms. */
    timeout?: number;
    /** Per-job retries override. */
    retries?: number;
    /** Cancels the jobs not yet finished. */
    signal?: AbortSignal;
    /** Most jobs submitted ahead of the one being yielded. @default 2 × concurrency */
    window?: number;
    /** Yield `{ ok, value }` / `{ ok, error }` for every input instead of throwing on the first failure. */
    settle?: boolean;
}
export type MapResult<T> = {
    index: number;
    ok: true;
    value: T;
} | {
    index: number;
    ok: false;
    error: Error;
};
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
export declare function mapInputs<T, In = unknown>(run: (payload: In) => Promise<T>, inputs: Iterable<In> | AsyncIterable<In>, window: number, settle: boolean): AsyncGenerator<T | MapResult<T>>;
