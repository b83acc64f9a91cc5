// Two-way jobs, second part: streaming a generator handler's chunks out, with credit-based backpressure.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AbortError, JobTimeoutError, WorkerCrashError } from 'supervise';
import { closeAll, fixture, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

const worker = fixture('progress.ts');
const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'supervise-stream-')), 'count');

it('yields every chunk once, in order, while progress arrives in order', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const chunks: number[] = [];
  const progress: number[] = [];
  for await (const chunk of sup.stream<number>({ count: 100 }, { name: 'numbers', onProgress: (value) => void progress.push(value as number) })) {
    chunks.push(chunk);
  }
  expect(chunks).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(progress.at(-1)).toBe(99);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  expect(new Set(progress).size).toBe(progress.length);
});

it('keeps bytes as bytes', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const chunks: Uint8Array[] = [];
  for await (const chunk of sup.stream<Uint8Array>({ count: 3, bytes: 1 << 20 }, { name: 'numbers' })) chunks.push(chunk);
  expect(chunks.map((c) => [c instanceof Uint8Array, c.length, c[0], c[c.length - 1]])).toEqual([
    [true, 1 << 20, 0, 0],
    [true, 1 << 20, 1, 1],
    [true, 1 << 20, 2, 2],
  ]);
});

it('pauses the generator while the reader is slow: never more than the credit window ahead', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const file = tempFile();
  const stream = sup.stream<number>({ file }, { name: 'endless' });
  let read = 0;
  for await (const chunk of stream) {
    expect(chunk).toBe(read);
    read++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // the generator is at most the window (16) plus the one it is producing ahead of what was read
    const produced = Number(readFileSync(file, 'utf8').split(' ')[0]);
    expect(produced - read).toBeLessThanOrEqual(17);
    if (read === 40) break;
  }
  // breaking out cancelled the job: the generator was stopped, and did not run on
  expect(await waitFor(() => readFileSync(file, 'utf8').includes('stopped'), 5000)).toBe(true);
  const stoppedAt = Number(readFileSync(file, 'utf8').split(' ')[0]);
  expect(stoppedAt).toBeLessThanOrEqual(40 + 17);
  expect(await sup.run('the worker is free again')).toBe('the worker is free again');
});

it('fails a stream whose worker dies after some chunks, without retrying it or repeating a chunk', async () => {
  const sup = supervisor({ worker, workers: 2, restartDelay: 10 });
  const chunks: number[] = [];
  const error = await (async () => {
    for await (const chunk of sup.stream<number>({ before: 5 }, { name: 'dies' })) chunks.push(chunk);
  })().catch((e: unknown) => e);
  expect(chunks).toEqual([0, 1, 2, 3, 4]);
  expect(error).toBeInstanceOf(WorkerCrashError);
  expect(error).toMatchObject({ attempts: 1, chunks: 5 });
  expect((error as Error).message).toContain('5 chunks streamed');
});

it('times out mid-stream', async () => {
  const sup = supervisor({ worker, workers: 1, killGrace: 200 });
  const chunks: number[] = [];
  const error = await (async () => {
    for await (const chunk of sup.stream<number>({ file: tempFile() }, { name: 'endless', timeout: 300 })) {
      chunks.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(JobTimeoutError);
  expect(chunks.length).toBeGreaterThan(0);
  expect(chunks).toEqual(Array.from({ length: chunks.length }, (_, i) => i));
});

it('cancels mid-stream through its signal', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const controller = new AbortController();
  const chunks: number[] = [];
  const error = await (async () => {
    for await (const chunk of sup.stream<number>({ file: tempFile() }, { name: 'endless', signal: controller.signal })) {
      chunks.push(chunk);
      if (chunk === 3) controller.abort();
    }
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AbortError);
  expect(chunks.slice(0, 4)).toEqual([0, 1, 2, 3]);
});

it('run() on a generator handler drains it and resolves with its return value', async () => {
  const sup = supervisor({ worker, workers: 1 });
  expect(await sup.run({ count: 1000 }, { name: 'numbers' })).toBe('end');
});

it('kills a worker that sends chunks beyond its credit window, with a coded protocol error', async () => {
  const sup = supervisor({ worker: fixture('hostile.ts'), workers: 1, restartDelay: 10 });
  const exits: string[] = [];
  sup.on('worker:exit', (event) => exits.push(event.reason));
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'supervise-credit-')), 'marker');
  const chunks: unknown[] = [];
  const error = await (async () => {
    for await (const chunk of sup.stream({ marker, kind: 'chunk-beyond-credit' }, { name: 'rogue' })) chunks.push(chunk);
  })().catch((e: unknown) => e);
  expect(exits.some((reason) => reason.includes('ERR_PROTOCOL_CREDIT'))).toBe(true);
  // what arrived within the window got through once; the job was not run again
  expect(chunks.length).toBeLessThanOrEqual(16);
  expect(error).toBeInstanceOf(WorkerCrashError);
});

it('run() with onChunk hands each chunk over in order, waits for a slow callback, and resolves with the return value', async () => {
  const sup = supervisor({ worker, workers: 1 });
  const seen: number[] = [];
  let maxAhead = 0;
  const result = await sup.run({ count: 40 }, {
    name: 'numbers',
    onChunk: async (chunk) => {
      seen.push(chunk as number);
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    onProgress: (value) => void (maxAhead = Math.max(maxAhead, (value as number) - seen.length)),
  });
  expect(result).toBe('end');
  expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
  // the generator ran at most the credit window ahead of the callback
  expect(maxAhead).toBeLessThanOrEqual(17);
});

it('holds big chunks back by bytes too: at most about 4 MiB unread, whatever the chunk count window', async () => {
  const sup = supervisor({ worker, workers: 1 });
  let produced = 0;
  let read = 0;
  let maxAhead = 0;
  for await (const chunk of sup.stream<Uint8Array>({ count: 30, bytes: 1 << 20 }, { name: 'numbers', onProgress: (value) => void (produced = value as number) })) {
    expect(chunk.length).toBe(1 << 20);
    read++;
    maxAhead = Math.max(maxAhead, produced + 1 - read);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(read).toBe(30);
  // 4 MiB of 1 MiB chunks unread, plus the one being made
  expect(maxAhead).toBeLessThanOrEqual(6);
});
