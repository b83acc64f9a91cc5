// map(): results in input order with bounded memory, whatever the input size.
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

/** Runs `body`, then waits a moment for stragglers, and returns the unhandled rejections seen meanwhile. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return unhandled;
}

it('never pulls more than `window` inputs ahead of the results it has yielded', async () => {
  const sup = supervisor({ worker: 'workers/echo.ts', workers: 2, perWorker: 8 });
  let pulled = 0;
  let yielded = 0;
  let mostAhead = 0;
  function* inputs() {
    for (let i = 0; i < 100_000; i++) {
      pulled++;
      mostAhead = Math.max(mostAhead, pulled - yielded);
      yield i;
    }
  }
  for await (const value of sup.map<number>(inputs(), { window: 64 })) {
    expect(value).toBe(yielded);
    yielded++;
  }
  expect(yielded).toBe(100_000);
  expect(mostAhead).toBeLessThanOrEqual(65);
});

it('stops pulling inputs when the consumer breaks out', async () => {
  const sup = supervisor({ worker: 'workers/echo.ts', workers: 1 });
  let pulled = 0;
  let finished = false;
  function* inputs() {
    try {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    } finally {
      finished = true;
    }
  }
  for await (const value of sup.map<number>(inputs(), { window: 4 })) if (value === 10) break;
  expect(finished).toBe(true);
  expect(pulled).toBeLessThanOrEqual(16);
});

it('throws the first failure in input order, or yields every outcome with settle', async () => {
  const sup = supervisor({ worker: 'workers/echo.ts', workers: 1 });
  const seen: unknown[] = [];
  await expect(
    (async () => {
      for await (const value of sup.map([1, 2, 3], { name: 'missing' })) seen.push(value);
    })(),
  ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_HANDLER' });
  expect(seen).toEqual([]);
  const outcomes = [];
  for await (const outcome of sup.map(['a', () => 0, 'c'], { settle: true })) outcomes.push(outcome);
  expect(outcomes.map((o) => (o.ok ? o.value : (o.error as { code?: string }).code))).toEqual(['a', 'ERR_PAYLOAD_UNSUPPORTED', 'c']);
  expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2]);
});

it('maps through jobs that wait for queue room (maxQueue with queueFull wait), in order', async () => {
  const sup = supervisor({ worker: 'workers/echo.ts', workers: 1, perWorker: 2, maxQueue: 3, queueFull: 'wait' });
  const inputs = Array.from({ length: 200 }, (_, i) => i);
  const out: number[] = [];
  for await (const value of sup.map<number>(inputs, { window: 32 })) out.push(value);
  expect(out).toEqual(inputs);
});

it('leaves no unhandled rejection behind when the consumer stops with failing jobs still running', async () => {
  const sup = supervisor({ worker: 'workers/echo.ts', workers: 2 });
  const unhandled = await unhandledDuring(async () => {
    const inputs = Array.from({ length: 64 }, (_, i) => i);
    await expect(
      (async () => {
        for await (const value of sup.map(inputs, { name: 'missing', window: 64 })) void value;
      })(),
    ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_HANDLER' });
    // the other 63 fail after the consumer has gone; their failures must go nowhere
    await sup.run('after');
  });
  expect(unhandled).toEqual([]);
});

it('stops with an AbortError when its signal aborts part-way, and the jobs it cut short leave nothing unhandled', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2 });
  const unhandled = await unhandledDuring(async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const inputs = Array.from({ length: 40 }, (_, i) => ({ value: i, ms: i < 3 ? 0 : 2000 }));
    await expect(
      (async () => {
        for await (const value of sup.map(inputs, { name: 'delayed', signal: controller.signal, window: 16 })) {
          seen.push(value);
          if (seen.length === 3) setTimeout(() => controller.abort(), 20);
        }
      })(),
    ).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(seen).toEqual([0, 1, 2]);
    // the workers are free again: the cut-short jobs were aborted, not left running for 2 s
    expect(await sup.run('next', { name: 'upper' })).toBe('NEXT');
  });
  expect(unhandled).toEqual([]);
});

it('yields every input once, in order, while workers are SIGKILLed under it in any state, a reload among them', async () => {
  const sup = supervisor({ worker: fixture('faulty.ts'), workers: 3, perWorker: 8, restartDelay: 0 });
  await sup.ready();
  const inputs = Array.from({ length: 3000 }, (_, id) => ({ id, ms: id % 7 }));
  const seen: number[] = [];
  const pids = new Set<number>();
  let kills = 0;
  let reloading: Promise<unknown> | undefined;
  const killer = setInterval(() => {
    // a reload part-way: from then on the kills land on draining workers and booting replacements too
    if (kills === 2) reloading ??= sup.reload().catch((error: unknown) => error);
    const live = sup.workerStats().filter((w) => w.pid !== undefined);
    const victim = live[kills % Math.max(live.length, 1)];
    if (victim?.pid !== undefined && kills < 8) {
      kills++;
      process.kill(victim.pid, 'SIGKILL');
    }
  }, 40);
  try {
    for await (const out of sup.map<{ id: number; pid: number }>(inputs, { name: 'ok', retries: 10, window: 48 })) {
      seen.push(out.id);
      pids.add(out.pid);
    }
  } finally {
    clearInterval(killer);
  }
  // a reload whose replacements keep being killed may give up, with its coded error; it must not hang
  const reloaded = await reloading;
  if (reloaded !== undefined) expect((reloaded as { code?: string }).code).toBe('ERR_RELOAD_FAILED');
  expect(kills).toBeGreaterThan(2);
  expect(seen).toEqual(inputs.map((i) => i.id));
  expect(pids.size).toBeGreaterThan(3); // replacements answered too
});

it('ends, without hanging, when the supervisor closes part-way: the results before, then a coded error', async () => {
  const sup = supervisor({ worker: fixture('faulty.ts'), workers: 2 });
  await sup.ready();
  function* inputs() {
    for (let id = 0; ; id++) yield { id, ms: 1 };
  }
  const seen: number[] = [];
  let failure: unknown;
  const started = Date.now();
  try {
    for await (const out of sup.map<{ id: number }>(inputs(), { name: 'ok', window: 16 })) {
      seen.push(out.id);
      if (seen.length === 200) void sup.close();
    }
  } catch (error) {
    failure = error;
  }
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(seen.length).toBeGreaterThanOrEqual(200);
  expect(seen).toEqual(seen.map((_, i) => i));
  expect((failure as { code?: string }).code).toBe('ERR_SUPERVISOR_CLOSED');
});
