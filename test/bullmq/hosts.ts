// `supervise work` hosts as real processes for the supervise/bullmq tests: start, wait for ready, find pool workers, stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { alive, cli } from '../helpers.js';
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

/** Pids of the live pool workers of the host `pid` (its other children, such as the watchdog shell, are left out). */
export function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker/main.js')) pids.push(Number(entry));
    } catch {
      // it exited while we looked
    }
  }
  return pids;
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
    const pids = childrenOf(this.pid);
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
