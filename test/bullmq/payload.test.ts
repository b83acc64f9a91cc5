// Job data or a result larger than maxFrameSize can never cross the channel: the job fails at once, without
// spending its other attempts on the same limit, and the pool keeps running.
import type { Queue, QueueEvents } from 'bullmq';
import { expect, test } from 'vitest';
import type { QueueWorker } from 'supervise/bullmq';
import { QUEUE_JOBS, useQueueWorker } from './hosts.js';

let qw: QueueWorker;
let queue: Queue;
let events: QueueEvents;

useQueueWorker('sizes', { worker: QUEUE_JOBS, workers: 1, maxFrameSize: 1024, logLevel: 'silent' }, (setup) => ({ qw, queue, events } = setup));

test('a payload or a result beyond maxFrameSize fails the job once, with no retry; the pool keeps running', async () => {
  const tooBig = await queue.add('default', { n: 1, pad: 'y'.repeat(5000) }, { jobId: 'big-payload', attempts: 3 });
  const bigResult = await queue.add('big', { size: 5000 }, { jobId: 'big-result', attempts: 3 });
  await expect(tooBig.waitUntilFinished(events, 20_000)).rejects.toThrow(/payload takes \d+ bytes, more than maxFrameSize/);
  await expect(bigResult.waitUntilFinished(events, 20_000)).rejects.toThrow(/result takes \d+ bytes, more than maxFrameSize/);
  for (const id of ['big-payload', 'big-result']) {
    const job = (await queue.getJob(id))!;
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
  }
  const fine = await queue.add('default', { n: 4 }, { jobId: 'fine' });
  expect(await fine.waitUntilFinished(events, 20_000)).toBe(8);
  expect(qw.stats().state).toBe('running');
});
