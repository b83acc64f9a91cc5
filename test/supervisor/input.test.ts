// Two-way jobs, third part: streaming input into a job (ctx.input), with credit-based backpressure.
import { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { WorkerCrashError } from 'supervise';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

const worker = fixture('progress.ts');

it('feeds an iterable, an async generator and a Readable to ctx.input', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const numbers = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(await sup.run(null, { name: 'sum', input: numbers })).toBe(5050);
  async function* generate() {
    for (const n of numbers) yield n;
  }
  expect(await sup.run(null, { name: 'sum', input: generate() })).toBe(5050);
  expect(await sup.run(null, { name: 'sum', input: Readable.from(numbers) })).toBe(5050);
  // a job given no input sees one that ends at once
  expect(await sup.run(null, { name: 'sum' })).toBe(0);
});

it('keeps bytes as bytes', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const input = [new Uint8Array(1 << 20), Buffer.alloc(10), new Uint8Array(0)];
  expect(await sup.run(null, { name: 'describeInput', input })).toEqual(['Uint8Array:1048576', 'Buffer:10', 'Uint8Array:0']);
});

it('reads the source only as fast as the handler takes it', async () => {
  const sup = supervisor({ worker, workers: 1 });
  let pulled = 0;
  let readByHandler = 0;
  let maxAhead = 0;
  async function* source() {
    for (let i = 0; i < 60; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - readByHandler);
      yield i;
    }
  }
  // the handler reports each chunk it has read; the source may run at most the credit window (16) ahead of it
  const read = await sup.run<number>(15, { name: 'slowReader', input: source(), onProgress: (n) => void (readByHandler = n as number) });
  expect(read).toBe(60);
  expect(maxAhead).toBeGreaterThanOrEqual(16);
  expect(maxAhead).toBeLessThanOrEqual(20);
});

it('streams in and out at once', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const out: string[] = [];
  for await (const chunk of sup.stream<string>(null, { name: 'upper', input: ['a', 'b', 'c'] })) out.push(chunk);
  expect(out).toEqual(['A', 'B', 'C']);
});

it('passes an error of the source to the handler, which fails the job with it', async () => {
  const sup = supervisor({ worker, workers: 1 });
  async function* broken() {
    yield 1;
    throw Object.assign(new Error('the upload was cut'), { code: 'E_UPLOAD' });
  }
  await expect(sup.run(null, { name: 'sum', input: broken() })).rejects.toMatchObject({ message: 'the upload was cut', code: 'E_UPLOAD' });
});

it('does not retry a job whose input was already consumed when its worker died', async () => {
  const sup = supervisor({ worker, workers: 2, restartDelay: 10 });
  const error = await sup.run(null, { name: 'readThenDie', input: [1, 2, 3, 4] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkerCrashError);
  expect(error).toMatchObject({ attempts: 1 });
});

it('rejects an input that is not iterable with a coded option error', async () => {
  const sup = supervisor({ worker, workers: 1 });
  await expect(sup.run(null, { name: 'sum', input: 42 as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
});

it('fails only the job, with its own error, when the input throws as it is opened', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const input = {
    [Symbol.asyncIterator]() {
      throw Object.assign(new Error('cannot open the upload'), { code: 'E_OPEN' });
    },
  };
  await expect(sup.run(null, { name: 'sum', input })).rejects.toMatchObject({ message: 'cannot open the upload', code: 'E_OPEN' });
  expect(await sup.run(null, { name: 'sum', input: [1, 2] })).toBe(3);
});
