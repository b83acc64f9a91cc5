// SIGTERM while Redis is away or does not answer: the host still stops and exits 0 (its unrecorded jobs come back
// when their locks expire), rather than waiting on Redis forever.
import { createServer, type Server, type Socket } from 'node:net';
import { expect, test } from 'vitest';
import { counts, Host, hostArgs, queueOn, sleep, until, useRedisServer } from './hosts.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
const hosts: Host[] = [];

useRedisServer((server) => (redis = server), hosts);

test('Redis stops while a job runs, then SIGTERM: the host exits 0; the job is completed later by another host', async () => {
  const queue = queueOn(redis, 'away');
  queue.on('error', () => {});
  try {
    const host = new Host(hostArgs(redis, 'away', ['--workers', '1', '--drain-timeout', '0']));
    hosts.push(host);
    await host.ready();
    await queue.add('default', { n: 5, ms: 3000 }, { jobId: 'away-1', attempts: 2 });
    await until('the job to run', async () => (await counts(queue)).active === 1);
    const stopped = Date.now();
    await redis.shutdown();
    host.kill('SIGTERM');
    const exit = await Promise.race([host.exited, sleep(45_000).then(() => 'hung' as const)]);
    expect(exit, host.stderr).toEqual({ code: 0, signal: null });
    expect(host.stderr).toMatch(/did not close within/);
    console.log(`SIGTERM with Redis away: the host exited 0 after ${Date.now() - stopped} ms`);

    await redis.launch();
    const next = new Host(hostArgs(redis, 'away', ['--workers', '1']));
    hosts.push(next);
    await next.ready();
    await until('the job to complete elsewhere', async () => (await counts(queue)).completed === 1, 30_000);
    expect((await queue.getJob('away-1'))!.returnvalue).toBe(10);
    next.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  } finally {
    await queue.close();
  }
});

test('a Redis that accepts connections but never answers: SIGTERM still stops the host (exit 0)', async () => {
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  try {
    const host = new Host(hostArgs({ url: `redis://127.0.0.1:${port}` } as RedisServer, 'silent', ['--workers', '1']));
    hosts.push(host);
    await until('a connection from the host', () => sockets.size > 0, 20_000);
    await sleep(1000);
    host.kill('SIGTERM');
    const exit = await Promise.race([host.exited, sleep(45_000).then(() => 'hung' as const)]);
    expect(exit, host.stderr).toEqual({ code: 0, signal: null });
    await until('the pool workers to be gone', () => host.liveWorkers().length === 0 && host.noteWorkers().length === 0, 10_000);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
