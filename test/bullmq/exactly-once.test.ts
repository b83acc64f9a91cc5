// 2,000 queue jobs on 3 `supervise work` hosts sharing one Redis, with a host SIGKILLed and restarted, pool workers
// SIGKILLed and a host drained by SIGTERM: every job completes exactly once with its value, none fails or is lost.
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { expect, test } from 'vitest';
import { alive } from '../helpers.js';
import { counts, Host, hostArgs, queueOn, until, useRedisServer } from './hosts.js';
import type { RedisServer } from './redis-server.js';

const JOBS = 2000;
let redis: RedisServer;
const hosts: Host[] = [];

useRedisServer((server) => (redis = server), hosts);

test('every job completes exactly once across hosts despite a host SIGKILL, worker SIGKILLs and a drain', async () => {
  const queue = queueOn(redis, 'eo');
  const events = new QueueEvents('eo', { connection: redis.connection });
  await events.waitUntilReady();
  const completions = new Map<string, number>();
  events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
  const sideEffects = new Redis(redis.url);
  try {
    const start = (extra: string[] = []) => {
      const host = new Host(hostArgs(redis, 'eo', ['--workers', '2', ...extra]), { SIDE_EFFECTS_URL: redis.url });
      hosts.push(host);
      return host;
    };
    const [a, b, c] = [start(), start(), start()];
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    await queue.addBulk(Array.from({ length: JOBS }, (_, n) => ({ name: 'default', data: { n, ms: 2 }, opts: { jobId: `eo-${n}`, attempts: 5 } })));
    const completed = async () => (await counts(queue)).completed;

    // a host dies with jobs in hand: their locks expire and other hosts take them
    await until('300 completions', async () => (await completed()) >= 300);
    a.noteWorkers();
    a.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const a2 = start();
    await a2.ready();

    // pool workers die mid-job: the attempt fails, BullMQ retries it
    await until('800 completions', async () => (await completed()) >= 800);
    const victims = b.noteWorkers();
    expect(victims.length).toBeGreaterThan(0);
    for (const pid of victims) process.kill(pid, 'SIGKILL');

    // a host drained: running jobs finish, the rest go back, exit 0
    await until('1200 completions', async () => (await completed()) >= 1200);
    c.noteWorkers();
    c.kill('SIGTERM');
    expect((await c.exited).code).toBe(0);

    await until(`all ${JOBS} completions`, async () => (await completed()) + (await counts(queue)).failed >= JOBS, 40_000);
    await until('the completion events', () => completions.size >= JOBS, 10_000);

    const final = await counts(queue);
    expect(final).toMatchObject({ completed: JOBS, failed: 0, waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    const jobs = await queue.getCompleted(0, JOBS);
    expect(jobs).toHaveLength(JOBS);
    for (const job of jobs) expect(job.returnvalue).toBe((job.data as { n: number }).n * 2);
    const doubled = [...completions].filter(([, times]) => times !== 1);
    expect(doubled).toEqual([]);
    expect(completions.size).toBe(JOBS);

    // at-least-once side effects: runs whose result was lost with their host or worker, counted and reported
    const effects = await sideEffects.hgetall('side-effects');
    const twice = Object.values(effects).filter((count) => Number(count) > 1).length;
    const missing = JOBS - Object.keys(effects).length;
    console.log(`exactly-once: ${JOBS} jobs completed once each; side effects that ran more than once: ${twice} (1 host SIGKILLed, ${victims.length} pool workers SIGKILLed, 1 host drained)`);
    expect(missing).toBe(0);

    for (const host of [a2, b]) host.noteWorkers();
    for (const host of [a2, b]) host.kill('SIGTERM');
    expect((await a2.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    const pids = hosts.flatMap((host) => [...host.workerPids]);
    await until('every pool worker to be gone', () => pids.every((pid) => !alive(pid)), 15_000);
  } finally {
    await events.close();
    await queue.close();
    sideEffects.disconnect();
  }
});
