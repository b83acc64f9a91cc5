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

export const TASK_RUNNING = 0;
export const TASK_OK = 1;
export const TASK_FAILED = 2;

/**
 * One input's work as the map engine sees it: an outcome it can read once
 * set, and one watcher told when it is. A supervisor Job is one itself, so
 * map() costs no promise per job; anything else is wrapped in a PromiseTask.
 */
export interface MapTask {
  /** TASK_RUNNING until settled, then TASK_OK or TASK_FAILED. */
  outcome: number;
  /** The value, or the error. */
  result: unknown;
  /** Told once the outcome is set; only the task the consumer waits for has one. */
  watcher: TaskWatcher | undefined;
}

export interface TaskWatcher {
  taskSettled(): void;
}

/** A promise's outcome as a MapTask (the CLI's jobs, jobs that waited for queue room). */
export class PromiseTask implements MapTask {
  outcome = TASK_RUNNING;
  result: unknown;
  watcher: TaskWatcher | undefined;

  constructor(promise: PromiseLike<unknown>) {
    promise.then(
      (value) => this.settle(TASK_OK, value),
      (error: unknown) => this.settle(TASK_FAILED, error),
    );
  }

  private settle(outcome: number, result: unknown): void {
    this.outcome = outcome;
    this.result = result;
    this.watcher?.taskSettled();
  }
}

/** A task that failed before it started (its submission threw). */
export function failedTask(error: unknown): MapTask {
  return { outcome: TASK_FAILED, result: error, watcher: undefined };
}

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

interface Waiter<T> {
  resolve(result: IteratorResult<T, void>): void;
  reject(error: unknown): void;
}

/**
 * Runs a task per input and yields the outcomes in input order.
 *
 *   inputs ─► pull (while fewer than `window` tasks are outstanding) ─► start() ─► ring of tasks
 *                                                                                   │ in order
 *   consumer ◄─ next() ◄─ the oldest task, once settled ◄───────────────────────────┘
 *
 * Pulling and consuming are independent: a result is yielded as soon as it
 * and those before it are done, even while the next input is slow to come
 * (an interactive stdin), and inputs keep flowing while results are consumed.
 * At most `window` tasks are outstanding, so a million inputs take the memory
 * of `window`. Once the window is full, pulling resumes only when half of it
 * has drained, so the jobs of a burst are batched into one write. Breaking out
 * of the loop stops pulling inputs.
 *
 * Written out as an iterator rather than an async generator, so that a result
 * costs what the protocol needs and little more: a generator's `yield` and its
 * `await` of each job's promise added two promises and several microtask turns
 * per result (half of map()'s allocations). Here a result that is ready is one
 * resolved promise, and a job is watched (not awaited) only when the consumer
 * is waiting for it.
 */
export class MapIterator<R, In = unknown> implements AsyncGenerator<R, void, undefined> {
  /** Outstanding tasks: input `i` is at `i % window` until yielded. */
  private readonly ring: (MapTask | undefined)[];
  /** Inputs yielded, and inputs started (absolute counts). */
  private head = 0;
  private tail = 0;
  private readonly lowWater: number;
  /** The window filled; pulling waits until it drains to half. */
  private full = false;
  private readonly iterator: Iterator<In> | AsyncIterator<In>;
  private readonly isAsync: boolean;
  private started = false;
  /** No more inputs: the source ended, or failed (pumpError), or the consumer stopped. */
  private exhausted = false;
  /** The consumer is done (returned, threw, or saw the end): nothing is pulled or yielded any more. */
  private stopped = false;
  private pumpError: { error: unknown } | undefined;
  /** Wakes the async pull loop waiting for room. */
  private wakePump: (() => void) | undefined;
  /** next() calls waiting for an outcome, oldest first. */
  private readonly waiters: Waiter<R>[] = [];
  private driving = false;
  private again = false;

  constructor(
    private readonly start: (payload: In, index: number) => MapTask,
    inputs: Iterable<In> | AsyncIterable<In>,
    private readonly window: number,
    private readonly settle: boolean,
  ) {
    this.ring = new Array<MapTask | undefined>(window);
    this.lowWater = Math.floor(window / 2);
    this.isAsync = Symbol.asyncIterator in inputs;
    this.iterator = this.isAsync ? (inputs as AsyncIterable<In>)[Symbol.asyncIterator]() : (inputs as Iterable<In>)[Symbol.iterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<R, void>> {
    if (!this.started) this.begin();
    if (this.waiters.length === 0) {
      let result: IteratorResult<R, void> | undefined;
      try {
        result = this.take();
      } catch (error) {
        return Promise.reject(error);
      }
      if (result !== undefined) {
        // taking made room: pull more (a sync source), or wake the pull loop (an async one)
        this.drive();
        return Promise.resolve(result);
      }
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.drive();
    });
  }

  return(): Promise<IteratorResult<R, void>> {
    this.stop();
    this.drive();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<R, void>> {
    this.stop();
    this.drive();
    return Promise.reject(error);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Called by the task the consumer waits for, once it settles. */
  taskSettled(): void {
    this.drive();
  }

  private begin(): void {
    this.started = true;
    if (this.isAsync) void this.pullAsync();
  }

  /**
   * Answers waiting next() calls and pulls a sync source, until neither can
   * go on. Re-entered (a task settling or an input arriving while it runs),
   * it only notes that it should go round once more.
   */
  private drive(): void {
    if (this.driving) {
      this.again = true;
      return;
    }
    this.driving = true;
    try {
      do {
        this.again = false;
        while (this.waiters.length > 0) {
          let result: IteratorResult<R, void> | undefined;
          try {
            result = this.take();
          } catch (error) {
            this.waiters.shift()!.reject(error);
            continue;
          }
          if (result === undefined) break;
          this.waiters.shift()!.resolve(result);
        }
        if (!this.isAsync && this.started && this.pullSync()) this.again = true;
      } while (this.again);
    } finally {
      this.driving = false;
    }
  }

  /**
   * The oldest outcome as an iterator result, or undefined while it is not
   * ready (the task is then watched); throws the failure a plain map() ends on.
   */
  private take(): IteratorResult<R, void> | undefined {
    if (this.stopped) return DONE;
    if (this.head === this.tail) {
      if (!this.exhausted) return undefined;
      this.stop();
      const failure = this.pumpError;
      if (failure) throw failure.error;
      return DONE;
    }
    const slot = this.head % this.window;
    const task = this.ring[slot]!;
    if (task.outcome === TASK_RUNNING) {
      task.watcher = this;
      return undefined;
    }
    this.ring[slot] = undefined;
    task.watcher = undefined;
    const index = this.head++;
    if (this.full && this.tail - this.head <= this.lowWater) {
      this.full = false;
      const wake = this.wakePump;
      this.wakePump = undefined;
      wake?.();
    }
    if (this.settle) {
      const value = task.outcome === TASK_OK ? { index, ok: true, value: task.result } : { index, ok: false, error: task.result };
      return { done: false, value: value as R };
    }
    if (task.outcome === TASK_OK) return { done: false, value: task.result as R };
    this.stop();
    throw task.result;
  }

  /** Starts the task of one input. */
  private submit(payload: In): void {
    this.ring[this.tail % this.window] = this.start(payload, this.tail);
    this.tail++;
    if (this.tail - this.head >= this.window) this.full = true;
  }

  /** Pulls a sync source without an await per item, while there is room; says whether anything changed. */
  private pullSync(): boolean {
    if (this.exhausted || this.full) return false;
    const iterator = this.iterator as Iterator<In>;
    let changed = false;
    try {
      while (!this.full && !this.stopped) {
        const next = iterator.next();
        changed = true;
        if (next.done) {
          this.exhausted = true;
          break;
        }
        if (this.stopped) break;
        this.submit(next.value);
      }
    } catch (error) {
      this.pumpError = { error };
      this.exhausted = true;
    }
    return changed;
  }

  /** Pulls an async source, one await per input, while there is room. */
  private async pullAsync(): Promise<void> {
    const iterator = this.iterator as AsyncIterator<In>;
    try {
      while (!this.stopped) {
        if (this.full) {
          await new Promise<void>((resolve) => (this.wakePump = resolve));
          continue;
        }
        const next = await iterator.next();
        if (next.done || this.stopped) break;
        this.submit(next.value);
        if (this.waiters.length > 0) this.drive();
      }
    } catch (error) {
      this.pumpError = { error };
    } finally {
      this.exhausted = true;
      this.drive();
    }
  }

  /** The consumer is done: stop pulling, and close the source if it did not end. next() calls still waiting get the end from drive(). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const wake = this.wakePump;
    this.wakePump = undefined;
    wake?.();
    // the running tasks go on (their outcomes are dropped); none should call back into a finished map
    const watched = this.ring[this.head % this.window];
    if (watched) watched.watcher = undefined;
    this.ring.fill(undefined);
    if (!this.exhausted && this.started) {
      // a sync source is closed now (its finally blocks run); an async one may be waiting for input, so do not wait for it
      const closing = this.iterator.return?.();
      if (closing && typeof (closing as Promise<unknown>).then === 'function') (closing as Promise<unknown>).catch(() => {});
    }
    this.exhausted = true;
  }
}

/** map() over anything that returns a promise per input: the CLI's stdin mode. */
export function mapInputs<T, In = unknown>(
  run: (payload: In) => Promise<T>,
  inputs: Iterable<In> | AsyncIterable<In>,
  window: number,
  settle: boolean,
): AsyncGenerator<T | MapResult<T>, void, undefined> {
  return new MapIterator<T | MapResult<T>, In>(
    (payload) => {
      try {
        return new PromiseTask(run(payload));
      } catch (error) {
        return failedTask(error);
      }
    },
    inputs,
    window,
    settle,
  );
}
