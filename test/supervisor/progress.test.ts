// Two-way jobs, first part: progress from inside a job (ordered, latest wins, last before the result), meta and attempt.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from 'supervise';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

const worker = fixture('progress.ts');

describe('progress', () => {
  it('delivers every update in order, and the last one before the result', async () => {
    const sup = supervisor({ worker, workers: 1 });
    const seen: string[] = [];
    const result = sup.run({ steps: 5, ms: 20 }, { name: 'steps', onProgress: (value, info) => void seen.push(`${value as number}@${info.attempt}`) });
    void result.then(() => seen.push('result'));
    expect(await result).toBe('done');
    await Promise.resolve();
    expect(seen).toEqual(['1@1', '2@1', '3@1', '4@1', '5@1', 'result']);
  });

  it('coalesces a tight loop of 100,000 updates: few arrive, the last always does, memory stays flat', async () => {
    const sup = supervisor({ worker, workers: 1 });
    await sup.ready();
    const heapBefore = process.memoryUsage().heapUsed;
    const seen: number[] = [];
    const result = await sup.run<number>(100_000, { name: 'flood', onProgress: (value) => void seen.push(value as number) });
    expect(result).toBe(100_000);
    expect(seen.at(-1)).toBe(99_999);
    expect(seen.length).toBeLessThan(10);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
  });

  it('keeps at most one update waiting for a slow async onProgress, latest wins, and settles after the last', async () => {
    const sup = supervisor({ worker, workers: 1 });
    const seen: number[] = [];
    let busy = 0;
    let overlapping = false;
    const order: string[] = [];
    const result = sup.run({ steps: 20, ms: 5 }, {
      name: 'steps',
      onProgress: async (value) => {
        if (busy++ > 0) overlapping = true;
        seen.push(value as number);
        await new Promise((resolve) => setTimeout(resolve, 40));
        busy--;
        if (value === 20) order.push('last progress done');
      },
    });
    void result.then(() => order.push('result'));
    expect(await result).toBe('done');
    await Promise.resolve();
    expect(overlapping).toBe(false);
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(20);
    expect(seen.length).toBeLessThan(20);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(order).toEqual(['last progress done', 'result']);
  });

  it('emits job:progress tagged with the attempt, and starts over after a retry', async () => {
    const sup = supervisor({ worker, workers: 2, restartDelay: 10 });
    const events: JobProgressEvent[] = [];
    sup.on('job:progress', (event) => events.push(event));
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'supervise-progress-')), 'marker');
    const outcome = await sup.runDetailed<{ attempt: number }>({ marker }, { name: 'whoAmI' });
    expect(outcome.result.attempt).toBe(2);
    expect(events.map((e) => [e.value, e.attempt])).toEqual([
      ['attempt 1 is about to die', 1],
      ['attempt 2', 2],
    ]);
    expect(events.every((e) => e.jobId === outcome.jobId && e.name === 'whoAmI')).toBe(true);
  });

  it('carries bytes as bytes, and refuses a value that cannot travel with a coded error in the handler', async () => {
    const sup = supervisor({ worker, workers: 1 });
    const seen: unknown[] = [];
    await sup.run(null, { name: 'kinds', onProgress: (value) => void seen.push(value) });
    expect(seen[0]).toBeInstanceOf(Uint8Array);
    expect([...(seen[0] as Uint8Array)]).toEqual([1, 2, 3]);
    expect(await sup.run(null, { name: 'badProgress' })).toBe('ERR_PAYLOAD_UNSUPPORTED');
  });

  it('rejects an onProgress that is not a function with a coded option error', async () => {
    const sup = supervisor({ worker, workers: 1 });
    await expect(sup.run(1, { onProgress: 42 as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});

describe('meta and attempt', () => {
  it('gives the handler its meta and attempt number, the same meta again on a retry', async () => {
    const sup = supervisor({ worker, workers: 2, restartDelay: 10 });
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'supervise-meta-')), 'marker');
    const meta = { idempotencyKey: 'order-42', tags: ['a', 'b'] };
    const first = await sup.run<{ attempt: number; meta: unknown; jobId: number }>({}, { name: 'whoAmI', meta });
    expect(first).toMatchObject({ attempt: 1, meta });
    const retried = await sup.run<{ attempt: number; meta: unknown }>({ marker }, { name: 'whoAmI', meta });
    expect(retried).toMatchObject({ attempt: 2, meta });
    expect(await sup.run<{ meta: unknown }>({}, { name: 'whoAmI' })).toMatchObject({ meta: undefined });
  });

  it('refuses meta that is not JSON data, or too large, with a coded option error', async () => {
    const sup = supervisor({ worker, workers: 1 });
    await expect(sup.run({}, { name: 'whoAmI', meta: { f: () => 1, n: 1n } as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(sup.run({}, { name: 'whoAmI', meta: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    // what JSON would silently drop or change on the way: refused, not delivered as something else
    for (const meta of [{ f: () => 1 }, { key: undefined }, [Number.NaN], { when: new Date(0) }]) {
      await expect(sup.run({}, { name: 'whoAmI', meta: meta as never }), JSON.stringify(meta)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    }
  });
});
