// SIGTERM with jobs longer than the drain deadline: they go back to the queue with no attempt spent, a short one
// finishes, the host exits 0; and a Redis restart mid-run loses nothing.
import { expect, test } from 'vitest';
import { alive } from '../helpers.js';
import { counts, Host, hostArgs, queueOn, sleep, until, useRedisServer } from './hosts.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
const hosts: Host[] = [];

useRedisServer((server) => (redis = server), hosts);

test('graceful shutdown: jobs longer than the deadline go back to the queue with no attempt spent', async () => {
  const queue = queueOn(redis, 'drain');
  try {
    const host = new Host(hostArgs(redis, 'drain', ['--workers', '3', '--drain-timeout', '3000']));
    hosts.push(host);
    await host.ready();
    await queue.add('slow', { ms: 60_000 }, { jobId: 'long-1', attempts: 3 });
    await queue.add('slow', { ms: 60_000 }, { jobId: 'long-2', attempts: 3 });
    await queue.add('default', { n: 4, ms: 1000 }, { jobId: 'short-1', attempts: 3 });
    await until('three active jobs', async () => (await counts(queue)).active === 3);
    host.noteWorkers();
    host.kill('SIGTERM');
    const exit = await Promise.race([host.exited, sleep(30_000).then(() => 'hung' as const)]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await counts(queue)).toMatchObject({ waiting: 2, active: 0, completed: 1, failed: 0 });
    expect((await queue.getJob('short-1'))!.returnvalue).toBe(8);
    for (const id of ['long-1', 'long-2']) {
      const job = (await queue.getJob(id))!;
      expect(await job.getState()).toBe('waiting');
      expect(job.attemptsMade).toBe(0);
    }
    await until('the pool workers to be gone', () => host.liveWorkers().length === 0, 10_000);

    // another host takes them up
    const next = new Host(hostArgs(redis, 'drain', ['--workers', '2', '--drain-timeout', '0']));
    hosts.push(next);
    await next.ready();
    await until('the handed-back jobs to run again', async () => (await counts(queue)).active === 2);
    next.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
    expect(await counts(queue)).toMatchObject({ waiting: 2, active: 0, failed: 0 });
  } finally {
    await queue.close();
  }
});

test('a Redis restart mid-run: the host reconnects and no job is lost', async () => {
  const queue = queueOn(redis, 'outage');
  queue.on('error', () => {});
  const JOBS = 400;
  try {
    const host = new Host(hostArgs(redis, 'outage', ['--workers', '2']));
    hosts.push(host);
    await host.ready();
    await queue.addBulk(Array.from({ length: JOBS }, (_, n) => ({ name: 'default', data: { n, ms: 5 }, opts: { jobId: `o-${n}`, attempts: 3 } })));
    await until('50 completions', async () => (await counts(queue)).completed >= 50);
    const before = await counts(queue);
    await redis.shutdown();
    console.log(`redis restart: stopped with ${before.completed} of ${JOBS} jobs completed, down 2 s`);
    await sleep(2000);
    expect(host.child.exitCode).toBeNull();
    await redis.launch();
    await until(`all ${JOBS} completions`, async () => {
      const now = await counts(queue);
      return now.completed + now.failed === JOBS;
    }, 40_000);
    expect(await counts(queue)).toMatchObject({ completed: JOBS, failed: 0, waiting: 0, active: 0 });
    for (const job of await queue.getCompleted(0, JOBS)) expect(job.returnvalue).toBe((job.data as { n: number }).n * 2);
    host.noteWorkers();
    host.kill('SIGTERM');
    expect((await host.exited).code).toBe(0);
    await until('the pool workers to be gone', () => [...host.workerPids].every((pid) => !alive(pid)), 10_000);
  } finally {
    await queue.close();
  }
});
