// Ordered, bounded mapping of many inputs onto jobs: the engine of `map()` and of the CLI's stdin mode.

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

export type MapResult<T> = { index: number; ok: true; value: T } | { index: number; ok: false; error: Error };

/**
 * Pulls inputs only as fast as results are consumed: at most `window` jobs are
 * outstanding, so a million inputs take the memory of `window`. Results come
 * out in input order. Breaking out of the loop stops pulling inputs.
 * Inputs are pulled in bursts (when half the window has drained), so the jobs
 * of a burst are batched into one write instead of one write each.
 */
export async function* mapInputs<T, In = unknown>(
  run: (payload: In) => Promise<T>,
  inputs: Iterable<In> | AsyncIterable<In>,
  window: number,
  settle: boolean,
): AsyncGenerator<T | MapResult<T>> {
  const outstanding: Promise<MapResult<T>>[] = [];
  let head = 0;
  let index = 0;
  const submit = (payload: In) => {
    const i = index++;
    const settled = run(payload).then(
      (value): MapResult<T> => ({ index: i, ok: true, value }),
      (error: Error): MapResult<T> => ({ index: i, ok: false, error }),
    );
    outstanding.push(settled);
  };
  const isAsync = Symbol.asyncIterator in inputs;
  const iterator = (isAsync ? inputs[Symbol.asyncIterator]() : (inputs as Iterable<In>)[Symbol.iterator]()) as Iterator<In> | AsyncIterator<In>;
  let exhausted = false;
  // refill in bursts, once half the window has drained: jobs submitted together go out in one write
  const lowWater = Math.floor(window / 2);
  try {
    while (true) {
      if (outstanding.length - head <= lowWater) while (!exhausted && outstanding.length - head < window) {
        // a sync iterable is pulled without an await per item
        const next = isAsync ? await iterator.next() : (iterator.next() as IteratorResult<In>);
        if (next.done) exhausted = true;
        else submit(next.value);
      }
      if (head === outstanding.length) return;
      const result = await outstanding[head];
      outstanding[head++] = undefined as never;
      if (head > 1024 && head * 2 > outstanding.length) {
        outstanding.splice(0, head);
        head = 0;
      }
      if (settle) yield result;
      else if (result.ok) yield result.value;
      else throw result.error;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
