// The pure parts of supervise/bullmq: the outcome decision table, option validation, `supervise work` arguments.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { decideOutcome, type FailedRun } from '../../src/bullmq/outcome.js';
import { parseRedisUrl, resolveQueueOptions } from '../../src/bullmq/options.js';
import { parseCancelMessage } from '../../src/bullmq/cancel.js';
import { parseWorkArgs } from '../../src/cli/work.js';
import { cli } from '../helpers.js';
import { QUEUE_JOBS } from './hosts.js';

const run = (over: Partial<FailedRun>): FailedRun => ({ code: undefined, cancelled: false, hostStopping: false, triedDefault: false, ...over });

describe('decideOutcome', () => {
  test.each([
    [{ code: 'ERR_JOB_TIMEOUT' }, 'fail'],
    [{ code: 'ERR_WORKER_CRASHED' }, 'fail'],
    [{ code: undefined }, 'fail'],
    [{ code: 'ABORT_ERR', cancelled: true }, 'cancel'],
    [{ code: 'ERR_SUPERVISOR_CLOSED', cancelled: true }, 'cancel'],
    [{ code: 'ERR_SUPERVISOR_CLOSED' }, 'hand-back'],
    [{ code: 'ERR_CRASH_LOOP' }, 'hand-back'],
    [{ code: 'ERR_WORKER_BOOT' }, 'hand-back'],
    [{ code: 'ERR_QUEUE_FULL' }, 'hand-back'],
    [{ code: 'ERR_WORKER_CRASHED', hostStopping: true }, 'hand-back'],
    [{ code: undefined, hostStopping: true }, 'fail'],
    [{ code: 'ERR_UNKNOWN_HANDLER' }, 'route-default'],
    [{ code: 'ERR_UNKNOWN_HANDLER', triedDefault: true }, 'unroutable'],
    [{ code: 'ERR_PAYLOAD_TOO_LARGE' }, 'unsendable'],
    [{ code: 'ERR_PAYLOAD_UNSUPPORTED' }, 'unsendable'],
    [{ code: 'ERR_PAYLOAD_TOO_LARGE', cancelled: true }, 'cancel'],
  ] as const)('%o → %s', (over, outcome) => {
    expect(decideOutcome(run(over))).toBe(outcome);
  });
});

describe('options', () => {
  test('redis URLs', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380 });
    expect(parseRedisUrl('rediss://u:p%40ss@cache.example:7000/3')).toEqual({ host: 'cache.example', port: 7000, username: 'u', password: 'p@ss', db: 3, tls: {} });
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379 });
    expect(() => parseRedisUrl('http://x')).toThrow(/Expected `connection` to be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseRedisUrl('redis://x/abc')).toThrow(/database number/);
  });

  test('what the pool and BullMQ own is refused with a coded error that says why', () => {
    const base = { worker: QUEUE_JOBS };
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return [(error as { code: string }).code, (error as Error).message];
      }
      return undefined;
    };
    expect(code(() => resolveQueueOptions('q', { ...base, retries: 2 }))).toEqual(['ERR_INVALID_OPTION', expect.stringMatching(/`retries`.*BullMQ retries/)]);
    expect(code(() => resolveQueueOptions('q', { ...base, bullmq: { concurrency: 9 } }))).toEqual(['ERR_INVALID_OPTION', expect.stringMatching(/follows the pool/)]);
    expect(code(() => resolveQueueOptions('q', { ...base, bullmq: { autorun: true } }))?.[0]).toBe('ERR_INVALID_OPTION');
    expect(code(() => resolveQueueOptions('', base))?.[0]).toBe('ERR_INVALID_OPTION');
    expect(code(() => resolveQueueOptions('a:b', base))?.[0]).toBe('ERR_INVALID_OPTION');
    expect(code(() => resolveQueueOptions('q', { ...base, connection: { port: 0 } }))?.[1]).toMatch(/connection.port/);
    const resolved = resolveQueueOptions('q', { ...base, workers: 3, bullmq: { lockDuration: 5000 } });
    expect(resolved.supervisor).toMatchObject({ workers: 3, retries: 0 });
    expect(resolved.connection).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(resolved.bullmq).toEqual({ lockDuration: 5000 });
    expect(resolved.prefix).toBe('bull');
  });

  test('cancel messages: malformed ones are ignored', () => {
    expect(parseCancelMessage('{"jobId":"7","reason":"stop"}')).toEqual({ jobId: '7', reason: 'stop' });
    expect(parseCancelMessage('{"jobId":7}')).toBeUndefined();
    expect(parseCancelMessage('not json')).toBeUndefined();
  });
});

describe('supervise work arguments', () => {
  test('flags map to pool and BullMQ options', () => {
    const parsed = parseWorkArgs(['w.js', '--queue', 'q', '--workers', '3', '--per-worker', '2', '--drain-timeout', '500', '--lock-duration', '5000', '--prefix', 'p']);
    expect(parsed.queue).toBe('q');
    expect(parsed.options).toMatchObject({ worker: 'w.js', workers: 3, perWorker: 2, drainTimeout: 500, connection: 'redis://127.0.0.1:6379', bullmq: { lockDuration: 5000, prefix: 'p' } });
  });

  test.each([
    [['w.js'], /--queue <name> is required/],
    [['--queue', 'q'], /needs a worker module/],
    [['w.js', '--queue', 'q', '--redis', 'localhost:6379'], /--redis expects a redis:\/\/ URL/],
    [['w.js', '--queue', 'q', '--workers', '0'], /--workers expects an integer from 1/],
    [['w.js', '--queue', 'q', '--lock-duration', '10'], /--lock-duration expects an integer from 1000/],
  ])('%o is a usage error', (argv, message) => {
    expect(() => parseWorkArgs(argv)).toThrow(message);
  });

  test('the CLI: usage errors exit 2 with one line; --help exits 0', () => {
    const bad = spawnSync(process.execPath, [cli, 'work', QUEUE_JOBS], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['supervise work: --queue <name> is required: the BullMQ queue to take jobs from']);
    const missing = spawnSync(process.execPath, [cli, 'work', 'no-such-module.js', '--queue', 'q'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    const help = spawnSync(process.execPath, [cli, 'work', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: supervise work/);
  });
});

describe('Redis out of reach', () => {
  test('supervise work says so in one line per kind of error, without stacks, and repeats are summed up, not logged', async () => {
    // a port nobody listens on: every reconnect attempt of every BullMQ connection fails, several a second
    const host = spawn(process.execPath, [cli, 'work', QUEUE_JOBS, '--queue', 'q', '--redis', 'redis://127.0.0.1:1', '--workers', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    host.stderr!.setEncoding('utf8');
    host.stderr!.on('data', (chunk: string) => (stderr += chunk));
    try {
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const refused = stderr.split('\n').filter((line) => line.includes('ECONNREFUSED'));
      expect(refused.length, stderr).toBeGreaterThanOrEqual(1);
      // before: two records with a full stack every second (8 or more in 4 s)
      expect(refused.length, stderr).toBe(1);
      expect(stderr).not.toMatch(/"stack"|at TCPConnectWrap/);
      expect(host.exitCode, 'the host keeps waiting for Redis').toBeNull();
    } finally {
      host.kill('SIGTERM');
      await once(host, 'exit');
    }
  }, 20_000);
});

describe('a Redis database the server does not have', () => {
  test('supervise work exits 2 with one line, instead of taking jobs from database 0', async () => {
    const { RedisServer } = await import('./redis-server.js');
    const { Queue } = await import('bullmq');
    const redis = await RedisServer.start();
    // a job waiting in database 0, under the queue name the host is given: it must not be touched
    const queue = new Queue('q', { connection: redis.connection });
    try {
      await queue.add('default', { n: 1 }, { jobId: 'in-db-0' });
      const host = spawn(process.execPath, [cli, 'work', QUEUE_JOBS, '--queue', 'q', '--redis', `${redis.url}/99`, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      host.stderr!.setEncoding('utf8');
      host.stderr!.on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(host, 'exit')) as [number | null];
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(/^supervise work: Invalid `connection`: Redis has no database 99 \(.*\)$/m);
      expect(await (await queue.getJob('in-db-0'))!.getState()).toBe('waiting');
    } finally {
      await queue.close();
      await redis.stop();
    }
  }, 30_000);
});
