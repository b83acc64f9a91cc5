// supervise/bullmq through its API, against a real Redis: routing by job name, ctx.meta, progress and cancellation
// round-tripping through Redis, and BullMQ's concurrency following resize().
import { Queue, QueueEvents } from 'bullmq';
import { expect, test } from 'vitest';
import { cancelQueueJob, createQueueWorker, type QueueWorker } from 'supervise/bullmq';
import { QUEUE_JOBS, until, useQueueWorker } from './hosts.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
let qw: QueueWorker;
let queue: Queue;
let events: QueueEvents;

useQueueWorker('trip', { worker: QUEUE_JOBS, workers: 2, logLevel: 'silent', bullmq: { lockDuration: 5000 } }, (setup) => ({ redis, qw, queue, events } = setup));

test('the job name picks the handler; a name no export has runs the default export; ctx.meta names the queue job', async () => {
  const named = await queue.add('meta', {}, { jobId: 'meta-1', attempts: 3 });
  const unnamed = await queue.add('whatever', { n: 21 }, { jobId: 'unnamed-1' });
  expect(await named.waitUntilFinished(events, 20_000)).toEqual({ meta: { queue: 'trip', jobId: 'meta-1', name: 'meta', attempt: 1, attemptsStarted: 1 }, attempt: 1 });
  expect(await unnamed.waitUntilFinished(events, 20_000)).toBe(42);
});

test('ctx.progress reaches job.progress, and cancelQueueJob aborts ctx.signal on the host running the job', async () => {
  const seen: unknown[] = [];
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => jobId === 'slow-1' && seen.push(data);
  events.on('progress', onProgress);
  const job = await queue.add('slow', { ms: 60_000 }, { jobId: 'slow-1', attempts: 5 });
  await until('progress events', () => seen.length >= 3, 20_000);
  expect(seen[0]).toEqual({ step: expect.any(Number) });
  expect(((await queue.getJob('slow-1'))!.progress as { step: number }).step).toBeGreaterThan(0);
  expect(await cancelQueueJob(queue, 'slow-1', 'changed my mind')).toBe('signalled');
  await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/cancelled: changed my mind/);
  const failed = (await queue.getJob('slow-1'))!;
  expect(await failed.getState()).toBe('failed');
  expect(failed.attemptsMade).toBe(1); // no retry, though 5 attempts were allowed
  events.off('progress', onProgress);
  expect(qw.stats().state).toBe('running');
});

test('cancelQueueJob removes a job that has not started, and leaves a finished one alone', async () => {
  const later = await queue.add('default', { n: 1 }, { jobId: 'later-1', delay: 60_000 });
  expect(await cancelQueueJob(queue, 'later-1')).toBe('removed');
  expect(await queue.getJob(later.id!)).toBeUndefined();
  const done = await queue.add('default', { n: 2 }, { jobId: 'done-1' });
  await done.waitUntilFinished(events, 20_000);
  expect(await cancelQueueJob(queue, 'done-1')).toBe('finished');
  expect(await cancelQueueJob(queue, 'no-such-job')).toBe('missing');
});

test("BullMQ's concurrency is the pool's capacity and follows resize()", async () => {
  expect(qw.worker!.concurrency).toBe(2);
  qw.resize(3);
  expect(qw.worker!.concurrency).toBe(3);
  qw.supervisor.resize(1); // also when the supervisor is resized directly
  expect(qw.worker!.concurrency).toBe(1);
  qw.resize(2);
  expect(qw.stats().queueConcurrency).toBe(2);
});

test("ctx.log records reach the queue job's own log (job.log), at the host's log level", async () => {
  const { pino } = await import('pino');
  const logged = createQueueWorker('trip-logs', {
    worker: QUEUE_JOBS,
    workers: 1,
    logger: pino({ level: 'info' }, { write: () => {} }),
    connection: redis.url,
  });
  const logsQueue = new Queue('trip-logs', { connection: redis.connection });
  const logsEvents = new QueueEvents('trip-logs', { connection: redis.connection });
  try {
    await logged.ready();
    await logsEvents.waitUntilReady();
    const job = await logsQueue.add('logs', { free: 12 }, { jobId: 'logs-1' });
    expect(await job.waitUntilFinished(logsEvents, 20_000)).toBe('logged');
    expect((await logsQueue.getJobLogs('logs-1')).logs).toEqual(['warn: disk almost full {"free":12}']);
  } finally {
    await logged.close({ timeout: 0 });
    await logsEvents.close();
    await logsQueue.close();
  }
});
