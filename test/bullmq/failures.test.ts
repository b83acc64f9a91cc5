// Jobs and modules that fail: poison jobs spend their BullMQ attempts while the pools stay up; a module that cannot
// load makes the host exit 3 without touching a job (BullMQ's sandboxed processor, for comparison, fails them).
import { Worker } from 'bullmq';
import { expect, test } from 'vitest';
import { alive } from '../helpers.js';
import { counts, Host, hostArgs, queueOn, sleep, THROWS_ON_IMPORT, until, useRedisServer } from './hosts.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
const hosts: Host[] = [];

useRedisServer((server) => (redis = server), hosts);

test('poison jobs exhaust their attempts and fail; every host keeps its pool running', async () => {
  const queue = queueOn(redis, 'poison');
  try {
    const a = new Host(hostArgs(redis, 'poison', ['--workers', '2']));
    const b = new Host(hostArgs(redis, 'poison', ['--workers', '2']));
    hosts.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const before = [...a.noteWorkers(), ...b.noteWorkers()];
    await queue.addBulk([
      ...Array.from({ length: 6 }, (_, i) => ({ name: 'poison', data: {}, opts: { jobId: `throws-${i}`, attempts: 3 } })),
      ...Array.from({ length: 2 }, (_, i) => ({ name: 'crash', data: {}, opts: { jobId: `crashes-${i}`, attempts: 2 } })),
      ...Array.from({ length: 40 }, (_, n) => ({ name: 'default', data: { n }, opts: { jobId: `good-${n}` } })),
    ]);
    await until('every job to settle', async () => {
      const now = await counts(queue);
      return now.completed + now.failed === 48;
    });
    expect(await counts(queue)).toMatchObject({ completed: 40, failed: 8, waiting: 0, active: 0, delayed: 0 });
    for (let i = 0; i < 6; i++) {
      const job = (await queue.getJob(`throws-${i}`))!;
      expect(job.attemptsMade).toBe(3);
      expect(job.failedReason).toBe('poisoned');
    }
    for (let i = 0; i < 2; i++) {
      const job = (await queue.getJob(`crashes-${i}`))!;
      expect(job.attemptsMade).toBe(2);
      expect(job.failedReason).toMatch(/worker/i);
    }
    // the throwing handlers cost no worker; the 4 crashing attempts cost one each, and each was replaced
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    expect(before.filter(alive).length).toBeGreaterThanOrEqual(before.length - 4);
    await until('both pools back at full size', () => a.noteWorkers().length === 2 && b.noteWorkers().length === 2);
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
  } finally {
    await queue.close();
  }
});

test('a module that cannot load: the host exits 3 and no job changes state (the sandboxed processor fails jobs)', async () => {
  const queue = queueOn(redis, 'boot');
  try {
    await queue.addBulk(Array.from({ length: 50 }, (_, n) => ({ name: 'default', data: { n }, opts: { jobId: `boot-${n}`, attempts: 1 } })));
    const host = new Host([THROWS_ON_IMPORT, '--queue', 'boot', '--redis', redis.url, '--workers', '2']);
    hosts.push(host);
    const exit = await Promise.race([host.exited, sleep(20_000).then(() => 'hung' as const)]);
    expect(exit).toEqual({ code: 3, signal: null });
    expect(host.stderr).toMatch(/cannot be loaded/);
    expect(await counts(queue)).toMatchObject({ waiting: 50, active: 0, completed: 0, failed: 0 });
    const jobs = await queue.getWaiting(0, 100);
    expect(jobs.map((job) => job.attemptsStarted + job.attemptsMade).reduce((a, b) => a + b, 0)).toBe(0);

    // the same module as a BullMQ sandboxed processor, for 3 s
    const sandboxed = new Worker('boot', THROWS_ON_IMPORT, { connection: redis.connection, concurrency: 2 });
    sandboxed.on('error', () => {});
    await sleep(3000);
    await sandboxed.close(true);
    const after = await counts(queue);
    console.log(`boot failure: supervise work touched 0 of 50 jobs and exited 3; BullMQ's sandboxed processor failed ${after.failed} of them in 3 s`);
  } finally {
    await queue.close();
  }
});

test('a pool that fails mid-run (crash loop): running jobs go back to the queue with no attempt spent, exit 3', async () => {
  const queue = queueOn(redis, 'loop');
  try {
    const host = new Host(hostArgs(redis, 'loop', ['--workers', '2', '--max-restarts', '0']));
    hosts.push(host);
    await host.ready();
    await queue.add('slow', { ms: 60_000 }, { jobId: 'held', attempts: 3 });
    await until('the slow job to run', async () => (await counts(queue)).active === 1);
    host.noteWorkers();
    // its worker answers, then dies idle: with --max-restarts 0 that one crash is a crash loop
    await queue.add('bomb', {}, { jobId: 'bomb', attempts: 3 });
    const exit = await Promise.race([host.exited, sleep(30_000).then(() => 'hung' as const)]);
    expect(exit, host.stderr).toEqual({ code: 3, signal: null });
    expect(host.stderr).toMatch(/crash/i);
    const held = (await queue.getJob('held'))!;
    expect(await held.getState()).toBe('waiting');
    expect(held.attemptsMade).toBe(0);
    expect(await counts(queue)).toMatchObject({ active: 0, waiting: 1, completed: 1, failed: 0 });
    await until('the pool workers to be gone', () => host.liveWorkers().length === 0, 10_000);
  } finally {
    await queue.close();
  }
});
