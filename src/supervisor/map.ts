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
export async function* mapInputs<T, In = unknown>(
  run: (payload: In) => Promise<T>,
  inputs: Iterable<In> | AsyncIterable<In>,
  window: number,
  settle: boolean,
): AsyncGenerator<T | MapResult<T>> {
  const outstanding: Promise<MapResult<T>>[] = [];
  let head = 0;
  let index = 0;
  let exhausted = false;
  let stopped = false;
  let pumpError: { error: unknown } | undefined;
  let wakePump: (() => void) | undefined;
  let wakeConsumer: (() => void) | undefined;
  const lowWater = Math.floor(window / 2);
  const isAsync = Symbol.asyncIterator in inputs;
  const iterator = (isAsync ? inputs[Symbol.asyncIterator]() : (inputs as Iterable<In>)[Symbol.iterator]()) as Iterator<In> | AsyncIterator<In>;

  const submit = (payload: In) => {
    const i = index++;
    outstanding.push(
      run(payload).then(
        (value): MapResult<T> => ({ index: i, ok: true, value }),
        (error: Error): MapResult<T> => ({ index: i, ok: false, error }),
      ),
    );
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };

  const pump = async () => {
    try {
      while (!stopped) {
        if (outstanding.length - head >= window) {
          await new Promise<void>((resolve) => (wakePump = resolve));
          continue;
        }
        // a sync iterable is pulled without an await per item
        const next = isAsync ? await iterator.next() : (iterator.next() as IteratorResult<In>);
        if (next.done || stopped) break;
        submit(next.value);
      }
    } catch (error) {
      pumpError = { error };
    } finally {
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
          if (pumpError) throw pumpError.error;
          return;
        }
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        continue;
      }
      const result = await outstanding[head];
      outstanding[head++] = undefined as never;
      if (head > 1024 && head * 2 > outstanding.length) {
        outstanding.splice(0, head);
        head = 0;
      }
      if (wakePump && outstanding.length - head <= lowWater) {
        const wake = wakePump;
        wakePump = undefined;
        wake();
      }
      if (settle) yield result;
      else if (result.ok) yield result.value;
      else throw result.error;
    }
  } finally {
    stopped = true;
    const wake = wakePump;
    wakePump = undefined;
    wake?.();
    if (!exhausted) {
      // a sync source is closed now (its finally blocks run); an async one may be waiting for input, so do not wait for it
      const closing = iterator.return?.();
      if (closing && typeof (closing as Promise<unknown>).then === 'function') (closing as Promise<unknown>).catch(() => {});
    }
  }
}
