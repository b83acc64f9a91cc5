// `supervise work` hosts as real processes for the supervise/bullmq tests: start, wait for ready, find pool workers, stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { createQueueWorker, type QueueWorker, type QueueWorkerOptions } from 'supervise/bullmq';
import { alive, cli, workerChildren } from '../helpers.js';
import { afterAll, beforeAll } from 'vitest';
import { RedisServer } from './redis-server.js';

export const QUEUE_JOBS = fileURLToPath(new URL('./fixtures/queue-jobs.js', import.meta.url));
export const THROWS_ON_IMPORT = fileURLToPath(new URL('./fixtures/throws-on-import.js', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; throws naming `what` after `timeout` ms (a hang catcher, not a timing assertion). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 30_000, step = 50): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(step);
  }
}


export class Host {
  readonly child: ChildProcess;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every pool worker pid seen on this host, to check that none is left behind. */
  readonly workerPids = new Set<number>();

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [cli, 'work', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  async ready(timeout = 20_000): Promise<void> {
    await until(`host ${this.pid} to be ready:\n${this.stderr}`, () => this.stderr.includes(': ready;') || this.child.exitCode !== null, timeout);
    if (this.child.exitCode !== null) throw new Error(`host exited with ${this.child.exitCode}:\n${this.stderr}`);
    this.noteWorkers();
  }

  /** Records the current pool workers (call now and then: replacements get new pids). */
  noteWorkers(): number[] {
    const pids = workerChildren(this.pid);
    for (const pid of pids) this.workerPids.add(pid);
    return pids;
  }

  liveWorkers(): number[] {
    return [...this.workerPids].filter(alive);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** The usual host arguments for a queue on `redis`: short locks so a lost host's jobs come back within seconds. */
export function hostArgs(redis: RedisServer, queue: string, extra: string[] = []): string[] {
  return [QUEUE_JOBS, '--queue', queue, '--redis', redis.url, '--log-level', 'info', '--lock-duration', '5000', '--stalled-interval', '1000', '--max-stalled-count', '10', ...extra];
}

export function queueOn(redis: RedisServer, name: string): Queue {
  return new Queue(name, { connection: redis.connection });
}

export interface Counts {
  [state: string]: number;
}

export async function counts(queue: Queue): Promise<Counts> {
  return queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
}

/**
 * One redis-server for a test file, started before its tests (and handed to `started`); after them, the hosts
 * left in `hosts` are SIGKILLed and waited for, and the server is stopped.
 */
export function useRedisServer(started: (server: RedisServer) => void, hosts: Host[]): void {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
    started(server);
  });
  afterAll(async () => {
    for (const host of hosts) host.kill('SIGKILL');
    await Promise.all(hosts.map((host) => host.exited));
    await server?.stop();
  });
}

/** What useQueueWorker sets up: a redis-server, an in-process queue worker on it, and a Queue and QueueEvents of its queue. */
export interface QueueWorkerSetup {
  redis: RedisServer;
  qw: QueueWorker;
  queue: Queue;
  events: QueueEvents;
}

/**
 * For a test file that drives a queue worker through the API: before its tests, a redis-server of its own and a
 * queue worker on `name` (given `options` plus the connection), a Queue and a QueueEvents of it; all closed after.
 */
export function useQueueWorker(name: string, options: Omit<QueueWorkerOptions, 'connection'>, started: (setup: QueueWorkerSetup) => void): void {
  let setup: Partial<QueueWorkerSetup> = {};
  beforeAll(async () => {
    setup.redis = await RedisServer.start();
    setup.qw = createQueueWorker(name, { ...options, connection: setup.redis.url });
    await setup.qw.ready();
    setup.queue = new Queue(name, { connection: setup.redis.connection });
    setup.events = new QueueEvents(name, { connection: setup.redis.connection });
    await setup.events.waitUntilReady();
    started(setup as QueueWorkerSetup);
  });
  afterAll(async () => {
    await setup.qw?.close({ timeout: 0 });
    await setup.events?.close();
    await setup.queue?.close();
    await setup.redis?.stop();
    setup = {};
  });
}
