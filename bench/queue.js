// `npm run bench:queue`: jobs/s through a BullMQ queue on a local Redis, at the same concurrency, for
//
//   in-process   BullMQ Worker with a processor function (jobs run on the host's own event loop)
//   sandboxed    BullMQ Worker with a processor file (BullMQ's child processes)
//   supervise    createQueueWorker from supervise/bullmq (a supervised pool; concurrency = its capacity)
//
// for empty jobs, 5 ms CPU jobs (a busy loop) and 5 ms I/O jobs (a timer); figures are medians over rounds,
// shown as jobs/s and as ratios to the in-process figure. Then host-loss recovery: two `supervise work` hosts,
// one SIGKILLed, and the time from the kill until the last job it held completes on the other.
//   node bench/queue.js [--quick] [--jobs N] [--rounds N] [--concurrency N]
import { spawn } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { createQueueWorker } from 'supervise/bullmq';
import { startRedis } from './lib/redis.js';
import { cpu, empty, io } from './workers/queue-jobs.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const quick = args.includes('--quick');
const JOBS = flag('--jobs', quick ? 200 : 2000);
const ROUNDS = flag('--rounds', quick ? 1 : 3);
const CONCURRENCY = flag('--concurrency', availableParallelism());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const JOBS_MODULE = fileURLToPath(new URL('./workers/queue-jobs.js', import.meta.url));
const SANDBOXED = fileURLToPath(new URL('./workers/queue-sandboxed.js', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const redis = await startRedis();
const handlers = { empty, cpu, io };
let queues = 0;

/** Starts a consumer of `queue`; resolves with a function that stops it. */
const contenders = {
  'in-process': async (queue) => {
    const worker = new Worker(queue, async (job) => handlers[job.name](job.data), { connection: redis.connection, concurrency: CONCURRENCY });
    await worker.waitUntilReady();
    return () => worker.close();
  },
  sandboxed: async (queue) => {
    const worker = new Worker(queue, SANDBOXED, { connection: redis.connection, concurrency: CONCURRENCY });
    await worker.waitUntilReady();
    return () => worker.close();
  },
  supervise: async (queue) => {
    const qw = createQueueWorker(queue, { worker: JOBS_MODULE, workers: CONCURRENCY, logLevel: 'warn', connection: redis.connection });
    await qw.ready();
    return () => qw.close();
  },
};

/** Jobs/s for one contender and one kind of job: a fresh queue, the consumer started, then JOBS added and drained. */
async function measure(contender, kind) {
  const name = `bench-${queues++}`;
  const queue = new Queue(name, { connection: redis.connection });
  const stop = await contenders[contender](name);
  // warm up: child processes spawned, code compiled
  await queue.addBulk(Array.from({ length: CONCURRENCY * 2 }, () => ({ name: kind, data: { ms: 5 } })));
  await drained(queue, CONCURRENCY * 2);
  const started = performance.now();
  await queue.addBulk(Array.from({ length: JOBS }, () => ({ name: kind, data: { ms: 5 } })));
  await drained(queue, CONCURRENCY * 2 + JOBS);
  const elapsed = performance.now() - started;
  await stop();
  await queue.obliterate({ force: true });
  await queue.close();
  return (JOBS * 1000) / elapsed;
}

async function drained(queue, total) {
  for (;;) {
    const { completed, failed } = await queue.getJobCounts('completed', 'failed');
    if (failed > 0) throw new Error(`${failed} jobs failed in ${queue.name}`);
    if (completed >= total) return;
    await sleep(5);
  }
}

/** Seconds from a host's SIGKILL until the last job it held completes on the other host. */
async function recovery(lockDuration, stalledInterval) {
  const name = `recovery-${queues++}`;
  const queue = new Queue(name, { connection: redis.connection });
  const host = () => {
    const child = spawn(process.execPath, [CLI, 'work', JOBS_MODULE, '--queue', name, '--redis', redis.url, '--workers', '2', '--lock-duration', String(lockDuration), '--stalled-interval', String(stalledInterval), '--log-level', 'warn'], { stdio: 'ignore' });
    return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
  };
  const [a, b] = [host(), host()];
  await queue.addBulk(Array.from({ length: 40 }, () => ({ name: 'io', data: { ms: 500 } })));
  while ((await queue.getJobCounts('active')).active < 4) await sleep(10);
  const held = new Set((await queue.getActive()).map((job) => job.id));
  a.child.kill('SIGKILL');
  const killed = performance.now();
  let last = killed;
  while (held.size > 0) {
    for (const id of held) {
      const job = await queue.getJob(id);
      if (job && (await job.isCompleted())) {
        held.delete(id);
        last = performance.now();
      }
    }
    await sleep(20);
  }
  b.child.kill('SIGTERM');
  await b.exited;
  await queue.obliterate({ force: true });
  await queue.close();
  return (last - killed) / 1000;
}

const kinds = ['empty', 'cpu', 'io'];
const labels = { empty: 'empty job', cpu: '5 ms CPU', io: '5 ms I/O' };
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of kinds) {
    for (const contender of Object.keys(contenders)) {
      (results[`${kind}/${contender}`] ??= []).push(await measure(contender, kind));
    }
  }
}

console.log(`bench:queue  ${new Date().toISOString().slice(0, 10)}  ${cpus().length} × ${cpus()[0]?.model.trim()}  Node ${process.version}  ${process.platform}`);
console.log(`${JOBS} jobs per run, concurrency ${CONCURRENCY} each, median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, Redis ${redis.url} (appendonly)\n`);
console.log(`${'job'.padEnd(12)}${'in-process'.padStart(14)}${'sandboxed'.padStart(22)}${'supervise'.padStart(22)}`);
for (const kind of kinds) {
  const base = median(results[`${kind}/in-process`]);
  const cell = (contender) => {
    const rate = median(results[`${kind}/${contender}`]);
    return `${Math.round(rate)}/s (${(rate / base).toFixed(2)}×)`.padStart(22);
  };
  console.log(`${labels[kind].padEnd(12)}${`${Math.round(base)}/s`.padStart(14)}${cell('sandboxed')}${cell('supervise')}`);
}
const quickLock = [2000, 500];
console.log(`\nhost-loss recovery (supervise work, 2 hosts × 2 workers, 500 ms jobs):`);
console.log(`  lockDuration ${quickLock[0]} ms, stalledInterval ${quickLock[1]} ms: ${(await recovery(...quickLock)).toFixed(1)} s from SIGKILL to the last of its jobs completed elsewhere`);
if (!quick) console.log(`  BullMQ defaults (30000, 30000):                   ${(await recovery(30_000, 30_000)).toFixed(1)} s`);
await redis.stop();
