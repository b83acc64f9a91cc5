// The map engine on its own: tasks that settle at random moments (synchronously, in a microtask, a macrotask
// later, or long after), sources sync and async, windows small and large, consumers that call next() in a
// loop or several times at once, that stop early, or that throw in. The engine has no workers of its own:
// the supervisor's tests run it over real jobs (map.test.ts).
import { setImmediate as immediate } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { failedTask, mapInputs, MapIterator, TASK_FAILED, TASK_OK, TASK_RUNNING, type MapResult, type MapTask, type TaskWatcher } from '../../src/supervisor/map.js';

/** A seeded generator, so that a failing case can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

class TestTask implements MapTask {
  outcome = TASK_RUNNING;
  result: unknown;
  watcher: TaskWatcher | undefined;
  settle(ok: boolean, result: unknown): void {
    this.outcome = ok ? TASK_OK : TASK_FAILED;
    this.result = result;
    this.watcher?.taskSettled();
  }
}

/** Input `i` succeeds with i × 10, or fails when `fails(i)`; it settles at a moment picked by `rand`. */
function starter(rand: () => number, fails: (i: number) => boolean, running: Set<number>) {
  return (payload: number): MapTask => {
    if (fails(payload) && rand() < 0.2) return failedTask(new Error(`input ${payload}`));
    const task = new TestTask();
    running.add(payload);
    const done = () => {
      running.delete(payload);
      task.settle(!fails(payload), fails(payload) ? new Error(`input ${payload}`) : payload * 10);
    };
    const when = rand();
    if (when < 0.2) done();
    else if (when < 0.45) queueMicrotask(done);
    else if (when < 0.8) setImmediate(done);
    else setTimeout(done, Math.floor(rand() * 5));
    return task;
  };
}

function source(n: number, isAsync: boolean, pulled: { count: number; closed: boolean }, rand: () => number): Iterable<number> | AsyncIterable<number> {
  if (!isAsync) {
    return (function* () {
      try {
        for (let i = 0; i < n; i++) {
          pulled.count++;
          yield i;
        }
      } finally {
        pulled.closed = true;
      }
    })();
  }
  return (async function* () {
    try {
      for (let i = 0; i < n; i++) {
        if (rand() < 0.3) await immediate();
        pulled.count++;
        yield i;
      }
    } finally {
      pulled.closed = true;
    }
  })();
}

it('yields every outcome once, in input order, within the window, however tasks and next() calls interleave', async () => {
  for (let seed = 1; seed <= 120; seed++) {
    const rand = random(seed);
    const n = Math.floor(rand() * 300);
    const window = 1 + Math.floor(rand() * 40);
    const isAsync = rand() < 0.5;
    const settle = rand() < 0.5;
    const failEvery = settle ? 1 + Math.floor(rand() * 7) : 0;
    const fails = (i: number) => failEvery > 0 && i % failEvery === 3;
    const running = new Set<number>();
    const pulled = { count: 0, closed: false };
    const it = new MapIterator<number | MapResult<number>, number>(starter(rand, fails, running), source(n, isAsync, pulled, rand), window, settle);
    const got: unknown[] = [];
    let mostAhead = 0;
    for (;;) {
      // several next() calls at once, as a consumer that does not await each may make
      const batch = 1 + Math.floor(rand() * 4);
      const results = await Promise.all(Array.from({ length: batch }, () => it.next()));
      mostAhead = Math.max(mostAhead, pulled.count - got.length);
      let done = false;
      for (const r of results) {
        if (r.done) done = true;
        else {
          expect(done, `seed ${seed}: a value after the end`).toBe(false);
          got.push(r.value);
        }
      }
      if (done) break;
    }
    const expected = Array.from({ length: n }, (_, i) => (settle ? (fails(i) ? { index: i, ok: false, message: `input ${i}` } : { index: i, ok: true, value: i * 10 }) : i * 10));
    const seen = settle
      ? (got as MapResult<number>[]).map((r) => (r.ok ? r : { index: r.index, ok: false, message: r.error.message }))
      : got;
    expect(seen, `seed ${seed}`).toEqual(expected);
    expect(mostAhead, `seed ${seed}: pulled ahead of the window`).toBeLessThanOrEqual(window + 4);
    expect((await it.next()).done).toBe(true);
  }
});

it('throws the first failure in input order, then stops pulling and closes the source', async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rand = random(seed * 7919);
    const isAsync = rand() < 0.5;
    const firstFailure = 5 + Math.floor(rand() * 50);
    const running = new Set<number>();
    const pulled = { count: 0, closed: false };
    const it = new MapIterator<number, number>(starter(rand, (i) => i >= firstFailure, running), source(1_000_000, isAsync, pulled, rand), 1 + Math.floor(rand() * 16), false);
    const got: number[] = [];
    let thrown: unknown;
    try {
      for await (const value of it) got.push(value);
    } catch (error) {
      thrown = error;
    }
    expect(got, `seed ${seed}`).toEqual(Array.from({ length: firstFailure }, (_, i) => i * 10));
    expect((thrown as Error).message).toBe(`input ${firstFailure}`);
    const pulledAtEnd = pulled.count;
    await new Promise((resolve) => setTimeout(resolve, 10));
    // an async source may finish the one pull it was asked for before the failure came; nothing after that
    expect(pulled.count, `seed ${seed}: still pulling after the failure`).toBeLessThanOrEqual(pulledAtEnd + (isAsync ? 1 : 0));
    expect(pulled.closed, `seed ${seed}: source left open`).toBe(true);
    expect((await it.next()).done).toBe(true);
  }
});

it('ends a next() still waiting when the consumer returns, and closes the source', async () => {
  const pulled = { count: 0, closed: false };
  const tasks: TestTask[] = [];
  const it = new MapIterator<number, number>(
    () => {
      const task = new TestTask();
      tasks.push(task);
      return task;
    },
    source(100, false, pulled, Math.random),
    4,
    false,
  );
  const waiting = it.next();
  const second = it.next();
  await immediate();
  expect(tasks.length).toBe(4);
  expect(await it.return()).toEqual({ done: true, value: undefined });
  expect(await waiting).toEqual({ done: true, value: undefined });
  expect(await second).toEqual({ done: true, value: undefined });
  expect(pulled.closed).toBe(true);
  // a task settling after the end is dropped, not yielded
  tasks[0].settle(true, 1);
  expect((await it.next()).done).toBe(true);
});

it('rejects with what is thrown in, closes the source, and ends', async () => {
  const pulled = { count: 0, closed: false };
  const it = new MapIterator<number, number>(() => failedTask(new Error('unused')), source(100, false, pulled, Math.random), 4, true);
  const boom = new Error('from the consumer');
  await expect(it.throw(boom)).rejects.toBe(boom);
  expect(pulled.closed).toBe(false); // never started: nothing was opened to close
  const started = new MapIterator<unknown, number>((i) => ({ outcome: TASK_OK, result: i, watcher: undefined }), source(100, false, pulled, Math.random), 4, false);
  expect(await started.next()).toEqual({ done: false, value: 0 });
  await expect(started.throw(boom)).rejects.toBe(boom);
  expect(pulled.closed).toBe(true);
  expect((await started.next()).done).toBe(true);
});

it('yields the outcomes before a failing source, then its error', async () => {
  async function* inputs() {
    yield 1;
    yield 2;
    throw new Error('source broke');
  }
  const it = mapInputs(async (x: number) => x + 1, inputs(), 8, false);
  const got: unknown[] = [];
  await expect(
    (async () => {
      for await (const value of it) got.push(value);
    })(),
  ).rejects.toThrow('source broke');
  expect(got).toEqual([2, 3]);
});

it('yields a ready result while the next input has not come (an interactive source)', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* inputs() {
    yield 'first';
    await gate;
    yield 'second';
  }
  const it = mapInputs(async (x: string) => x.toUpperCase(), inputs(), 8, false);
  expect(await it.next()).toEqual({ done: false, value: 'FIRST' });
  release();
  expect(await it.next()).toEqual({ done: false, value: 'SECOND' });
  expect((await it.next()).done).toBe(true);
});
