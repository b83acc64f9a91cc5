// The supervisor API against real worker processes.
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, CrashLoopError, OptionError, PayloadError, UnknownHandlerError, WorkerBootError, WorkerCrashError, type JobDoneEvent } from 'supervise';
import { alive, closeAll, fixture, reaped, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

describe('jobs', () => {
  it('echoes JSON values and bytes exactly', async () => {
    const sup = supervisor({ worker: 'workers/echo.ts', workers: 1 });
    const json = { text: 'Hello, world!', n: 1.5, list: [1, 'two', null, { deep: true }] };
    expect(await sup.run(json)).toEqual(json);
    expect(await sup.run('My name is Tom!')).toBe('My name is Tom!');

    const bytes = new Uint8Array(256).map((_, i) => i);
    const back = await sup.run<Uint8Array>(bytes);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back)).toBe(false);
    expect([...back]).toEqual([...bytes]);

    const buf = Buffer.from('raw bytes \x00\xff');
    const bufBack = await sup.run<Buffer>(buf);
    expect(Buffer.isBuffer(bufBack)).toBe(true);
    expect(bufBack.equals(buf)).toBe(true);
  });

  it('carries values JSON cannot, and rejects values nothing can carry', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const value = { when: new Date(0), big: 2n ** 70n, map: new Map([['k', new Set([1])]]), missing: undefined, nan: NaN };
    const back = await sup.run<typeof value>(value);
    expect(back).toEqual(value);
    expect('missing' in back).toBe(true);
    expect(back.map).toBeInstanceOf(Map);
    await expect(sup.run(() => 1)).rejects.toBeInstanceOf(PayloadError);
    await expect(sup.run({ f: () => 1 })).rejects.toMatchObject({ code: 'ERR_PAYLOAD_UNSUPPORTED' });
    // a result that cannot travel rejects that job, and the worker stays up
    await expect(sup.run(null, { name: 'returnsFunction' })).rejects.toMatchObject({ code: 'ERR_PAYLOAD_UNSUPPORTED' });
    expect(await sup.run('still up')).toBe('still up');
  });

  it('runs 2,000 jobs over 4 workers, each answered once with its own result, on every worker', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 4 });
    const pids = new Set<number>();
    const done: number[] = new Array(2000).fill(0);
    // collected, not asserted in the listener: the supervisor catches (and only logs) what a listener throws
    const doneEvents: JobDoneEvent[] = [];
    sup.on('job:done', (event) => doneEvents.push(event));
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        sup.runDetailed<{ value: number }>({ value: { value: i }, ms: i % 3 }, { name: 'delayed' }).then((outcome) => {
          done[i]++;
          if (outcome.pid) pids.add(outcome.pid);
          return outcome.result;
        }),
      ),
    );
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(done.every((count) => count === 1)).toBe(true);
    expect(pids.size).toBe(4);
    // one job:done per job, every one a success
    expect(doneEvents.filter((event) => !event.ok)).toEqual([]);
    expect(doneEvents).toHaveLength(2000);
    expect(new Set(doneEvents.map((event) => event.jobId)).size).toBe(2000);
    const stats = sup.stats();
    expect(stats).toMatchObject({ completed: 2000, failed: 0, queued: 0, inFlight: 0, workers: 4 });
  });

  it('calls named handlers and reports unknown ones', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    expect(await sup.run('shout', { name: 'upper' })).toBe('SHOUT');
    const error = await sup.run('x', { name: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownHandlerError);
    expect((error as Error).message).toContain('`upper`');
  });

  it('rejects with the handler error: name, message, code, stack and cause chain; the worker stays up', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const before = await sup.run<number>(null, { name: 'pid' });
    const error = (await sup.run("it broke", { name: "fail" }).catch((e: unknown) => e)) as any;
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe('it broke');
    expect(error.code).toBe('E_TEST_FAIL');
    expect(error.detail).toEqual({ retryable: false });
    expect(error.stack).toContain('fail');
    expect(error.cause.name).toBe('TypeError');
    expect(error.cause.cause).toMatchObject({ message: 'disk unplugged', code: 'EIO', errno: -5 });
    expect(await sup.run<number>(null, { name: 'pid' })).toBe(before);
  });

  it('runs several jobs at once on one worker with perWorker, matched by id', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1, perWorker: 8 });
    await sup.ready();
    const started = Date.now();
    const out = await Promise.all([5, 4, 3, 2, 1, 0].map((v) => sup.run({ value: v, ms: 200 * v }, { name: 'delayed' })));
    expect(out).toEqual([5, 4, 3, 2, 1, 0]);
    // one at a time this takes 3 s, multiplexed 1 s; the bound only catches "not multiplexed"
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('maps inputs in order, from sync and async iterables', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 3 });
    const seen: number[] = [];
    for await (const value of sup.map<number>((function* () {
      for (let i = 0; i < 50; i++) yield { value: i, ms: (i * 7) % 5 };
    })(), { name: 'delayed' })) {
      seen.push(value);
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    async function* words() {
      yield 'a';
      yield 'b';
    }
    const upper: string[] = [];
    for await (const value of sup.map<string>(words(), { name: 'upper' })) upper.push(value);
    expect(upper).toEqual(['A', 'B']);
    const settled = [];
    for await (const r of sup.map(['ok', 'bad'], { name: 'fail', settle: true })) settled.push(r.ok);
    expect(settled).toEqual([false, false]);
  });

  it('accepts a file URL as worker, and a .js module', async () => {
    const sup = supervisor({ worker: pathToFileURL(fixture('plain.js')), workers: 1 });
    const out = await sup.run<{ got: number; pid: number }>(7);
    expect(out.got).toBe(7);
    expect(typeof out.pid).toBe('number');
  });
});

describe('lifecycle', () => {
  it('emits spawn, ready, job:done and exit events', async () => {
    const sup = supervisor({ worker: 'workers/echo.ts', workers: 2 });
    const events: string[] = [];
    sup.on('worker:spawn', () => events.push('spawn'));
    sup.on('worker:ready', () => events.push('ready'));
    sup.on('job:done', (e) => events.push(`done:${e.ok}`));
    sup.on('worker:exit', (e) => events.push(`exit:${e.expected}`));
    await sup.ready();
    await sup.run(1);
    await sup.close();
    // workers are spawned once the module is compiled, after the listeners were attached
    expect(events.filter((e) => e === 'spawn')).toHaveLength(2);
    expect(events.filter((e) => e === 'ready')).toHaveLength(2);
    expect(events).toContain('done:true');
    expect(events.filter((e) => e === 'exit:true')).toHaveLength(2);
  });

  it('close() drains queued and in-flight jobs, then stops every worker', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2 });
    await sup.ready();
    const pids = await Promise.all([sup.run<number>(null, { name: 'pid' }), sup.run<number>(null, { name: 'pid' })]);
    const jobs = Array.from({ length: 20 }, (_, i) => sup.run({ value: i, ms: 10 }, { name: 'delayed' }));
    await sup.close();
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sup.stats()).toMatchObject({ workers: 0, state: 'closed' });
    // gone and reaped: not even a zombie is left
    for (const pid of pids) expect(reaped(pid)).toBe(true);
    await expect(sup.run(1)).rejects.toMatchObject({ code: 'ERR_SUPERVISOR_CLOSED' });
  });

  it('works with await using', async () => {
    let pid = 0;
    {
      await using sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, logLevel: 'silent' });
      pid = await sup.run<number>(null, { name: 'pid' });
      expect(alive(pid)).toBe(true);
    }
    expect(await waitFor(() => !alive(pid), 2000)).toBe(true);
  });

  it('rejects the in-flight job of a crashed worker with a coded error, and replaces the worker', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1, retries: 0, restartDelay: 10 });
    const first = await sup.run<number>(null, { name: 'pid' });
    const error = (await sup.run(9, { name: 'crash' }).catch((e: unknown) => e)) as WorkerCrashError;
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(error.code).toBe('ERR_WORKER_CRASHED');
    expect(error.exitCode).toBe(9);
    expect(error.jobId).toBeGreaterThan(0);
    expect(error.message).toContain(`Job ${error.jobId}`);
    expect(error.message).toContain('exit code 9');
    expect(error.stderrTail).toContain('fixture crash: exiting with 9');
    const second = await sup.run<number>(null, { name: 'pid' });
    expect(second).not.toBe(first);
    expect(sup.stats().restarts).toBe(1);
  });

  it('reports a module that throws on import as a boot failure with its message and where in the module, without restarting it', async () => {
    // restartDelay 10: a restart, were one scheduled, would follow its exit within milliseconds
    const sup = supervisor({ worker: fixture('boot-throws.ts'), workers: 2, restartDelay: 10 });
    let spawns = 0;
    let exits = 0;
    sup.on('worker:spawn', () => spawns++);
    sup.on('worker:exit', () => exits++);
    const error = (await sup.run(1).catch((e: unknown) => e)) as CrashLoopError;
    expect(error).toBeInstanceOf(CrashLoopError);
    expect(error.code).toBe('ERR_CRASH_LOOP');
    expect(error.restarts).toBe(0);
    expect(error.message).toContain('boot-throws.ts failed to boot: Error: fixture: the database URL is not set');
    // where the module failed, from the error's stack (source-mapped to the .ts), and no stack dump on stderr:
    // the error comes once, as data, instead of once per worker through each one's stderr
    expect(error.message).toMatch(/failed to boot: Error: fixture: the database URL is not set\n {4}at .*boot-throws\.ts:2:\d+/);
    expect(error.stderrTail).not.toContain('the database URL is not set');
    expect(error.cause).toBeInstanceOf(WorkerBootError);
    expect((error.cause as WorkerBootError).code).toBe('ERR_WORKER_BOOT');
    expect(sup.state).toBe('failed');
    await expect(sup.run(2)).rejects.toBe(error);
    const spawnsAtFailure = spawns;
    expect(spawnsAtFailure).toBeLessThanOrEqual(2);
    // every worker it started has exited...
    expect(await waitFor(() => exits === spawns && sup.stats().workers === 0)).toBe(true);
    // ...and none is started again: "never" can only be watched for a while, here 20 × restartDelay
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(spawns).toBe(spawnsAtFailure);
    expect(sup.stats().workers).toBe(0);
  });

  it('reports a module without handlers as a boot failure', async () => {
    const sup = supervisor({ worker: fixture('no-handler.ts'), workers: 1 });
    const error = (await sup.run(1).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CrashLoopError);
    expect(error.cause).toBeInstanceOf(WorkerBootError);
    expect(error.message).toContain('exports no handler function');
    expect(error.message).toContain('answer');
  });

  it('logs worker stdout and stderr line by line, tagged with worker id and pid', async () => {
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    const { pino } = await import('pino');
    // pino's default base writes this process's pid: the worker's goes in workerPid, never a second "pid" key
    const logger = pino({ level: 'info' }, { write: (line: string) => (raw.push(line), lines.push(JSON.parse(line))) });
    const sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, logger });
    try {
      const pid = await sup.run<number>(null, { name: 'pid' });
      await sup.run('hello there', { name: 'log' });
      await waitFor(() => lines.some((l) => String(l.msg).includes('stderr line:')) && lines.some((l) => l.msg === 'hello there'));
      const fromWorker = lines.filter((l) => l.workerPid === pid);
      expect(fromWorker.every((l) => l.pid === process.pid)).toBe(true);
      for (const line of raw) expect(line.match(/"pid":/g)).toHaveLength(1);
      const pinoLine = fromWorker.find((l) => l.msg === 'hello there');
      expect(pinoLine).toMatchObject({ workerId: 1, level: 30, extra: 1 });
      expect(pinoLine?.jobId).toBeGreaterThan(0);
      expect(fromWorker.find((l) => l.msg === 'plain stdout: hello there')).toMatchObject({ stream: 'stdout' });
      // the stderr line arrived in two writes but is logged whole
      expect(fromWorker.find((l) => l.stream === 'stderr')?.msg).toBe('partial stderr line: hello there');
    } finally {
      await sup.destroy();
    }
  });
});

describe('options', () => {
  it.each([
    [{ workers: 0 }, 'Expected `workers` to be an integer from 1 and up, got `0` (number)'],
    [{ workers: 1.5 }, 'Expected `workers` to be an integer from 1 and up, got `1.5` (number)'],
    [{ perWorker: '2' }, 'Expected `perWorker` to be an integer from 1 and up, got `"2"` (string)'],
    [{ worker: 42 }, 'Expected `worker` to be a path or a file: URL, got `42` (number)'],
    [{ timeout: -1 }, 'Expected `timeout` to be an integer from 0 and up, got `-1` (number)'],
    [{ queueFull: 'drop' }, 'Expected `queueFull` to be one of `reject`, `wait`, got `"drop"` (string)'],
  ])('rejects %j with a clear message', (bad, message) => {
    expect(() => createSupervisor({ worker: 'workers/echo.ts', ...(bad as object) } as never)).toThrow(new OptionError(message));
  });

  it('rejects bad per-job options without spawning trouble', async () => {
    const sup = supervisor({ worker: 'workers/echo.ts', workers: 1 });
    await expect(sup.run(1, { name: '' })).rejects.toThrow('Expected `name` to be a non-empty string');
    await expect(sup.run(1, { timeout: 'soon' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});
