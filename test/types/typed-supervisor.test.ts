// The typed API against a real worker: what the types promise (test/types/typed-supervisor.test-d.ts) is what comes back.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { MapResult } from 'supervise';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

type W = typeof import('../fixtures/typed-worker.js');

describe('a supervisor typed by its worker module', () => {
  it('runs the default and named handlers with the payloads and results their types say', async () => {
    const sup = supervisor<W>({ worker: fixture('typed-worker.ts'), workers: 1 });

    const area = await sup.run({ width: 3, height: 4 });
    expectTypeOf(area).toEqualTypeOf<{ area: number; attempt: number }>();
    expect(area).toEqual({ area: 12, attempt: 1 });

    const text = await sup.run('abc', { name: 'upper' });
    expectTypeOf(text).toEqualTypeOf<string>();
    expect(text).toBe('ABC');

    const bytes = await sup.run(new Uint8Array([1, 2, 3]), { name: 'reverse' });
    expectTypeOf(bytes).toEqualTypeOf<Uint8Array>();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([3, 2, 1]);

    // a handler without a payload parameter takes any payload and ignores it
    const detailed = await sup.runDetailed({ ignored: true }, { name: 'pid' });
    expectTypeOf(detailed.result).toEqualTypeOf<number>();
    expect(detailed.result).toBe(detailed.pid);

    expect(await sup.run(undefined, { name: 'greet' })).toBe('hello, world');
    expect(await sup.run({ name: 'tom' }, { name: 'greet' })).toBe('hello, tom');

    const results: string[] = [];
    for await (const r of sup.map(['a', 'b', 'c'], { name: 'upper' })) results.push(r);
    expect(results).toEqual(['A', 'B', 'C']);

    const settled: MapResult<{ area: number; attempt: number }>[] = [];
    for await (const r of sup.map([{ width: 1, height: 2 }], { settle: true })) settled.push(r);
    expect(settled).toEqual([{ index: 0, ok: true, value: { area: 2, attempt: 1 } }]);
  });

  it('types generator handlers for run() (their return value) and stream() (their chunks), and refuses a class export', async () => {
    const sup = supervisor<W>({ worker: fixture('typed-worker.ts'), workers: 1 });
    const returned: string = await sup.run(3, { name: 'count' });
    expect(returned).toBe('counted');
    const chunks: number[] = [];
    for await (const chunk of sup.stream(3, { name: 'count' })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(0);
    // a class is exported as a function, so the worker lists it, but it cannot be called without `new`
    // @ts-expect-error: `Thumbnailer` is a class
    await expect(sup.run(undefined, { name: 'Thumbnailer' })).rejects.toThrow(/without 'new'/);
  });
});
