// Contenders with N workers each, for the many-workers and latency cases
// (bench/scale.js, bench/latency.js). Same interface as lib/contenders.js:
//
//   await c.start()   spawn the N workers and wait until each answers
//   c.op()            a function doing one 32-byte echo, resolving when it is back and checked
//   await c.close()
//
// The process-based baselines dispatch round-robin over their N children, which
// is the cheapest dispatch there is (no load tracking); supervise picks the
// least-loaded worker, piscina and workerpool do what they do.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Piscina } from 'piscina';
import workerpool from 'workerpool';
import { createSupervisor } from 'supervise';
import { Pending, WORKERS } from './contenders.js';
import { spawnRaw } from './raw-client.js';

function fail(name, what) {
  throw new Error(`${name}: bad echo (${what})`);
}

/** supervise run() with `n` workers; `perWorker` defaults to 64 (4 × 64 = 256 = the jobs in flight). */
export function supervisePool(p, n, perWorker = 64) {
  const name = `supervise run(), ${n} worker${n === 1 ? '' : 's'}`;
  let sup;
  return {
    id: `supervise-${n}`,
    label: perWorker === 64 ? name : `${name} (perWorker ${perWorker})`,
    kind: 'supervise',
    workers: n,
    async start() {
      sup = createSupervisor({ worker: WORKERS.echoJs, workers: n, perWorker, logLevel: 'silent' });
      await sup.ready();
    },
    close: () => sup.close(),
    op() {
      return () =>
        sup.run(p.small).then((r) => {
          if (r !== p.small) fail(name, String(r));
        });
    },
  };
}

/** `n` raw fd-3 echo children (lib/raw-client.js), requests dealt round-robin. */
export function rawPool(p, n) {
  const name = `raw fd-3, ${n} ${n === 1 ? "child" : "children"}`;
  let clients = [];
  let next = 0;
  return {
    id: `raw-${n}`,
    label: name,
    kind: 'raw',
    workers: n,
    async start() {
      clients = Array.from({ length: n }, () => spawnRaw());
      await Promise.all(clients.map((c) => c.echo(p.smallBytes)));
    },
    close: () => Promise.all(clients.map((c) => c.close())),
    op() {
      return () => {
        const c = clients[next];
        next = next + 1 === n ? 0 : next + 1;
        return c.echo(p.smallBytes).then((r) => {
          if (r.length !== 32) fail(name, `length ${r.length}`);
        });
      };
    },
  };
}

/** `n` children of child_process.fork() with JSON IPC, `{ id, p }` messages, round-robin. */
export function forkPool(p, n) {
  const name = `fork json, ${n} children`;
  const pending = new Pending();
  let children = [];
  let next = 0;
  return {
    id: `fork-${n}`,
    label: name,
    kind: 'fork',
    workers: n,
    async start() {
      children = Array.from({ length: n }, () => {
        const child = fork(WORKERS.fork, [], { serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        child.on('message', (m) => pending.settle(m.id, m.p));
        child.once('exit', () => pending.rejectAll(new Error(`${name}: a child exited`)));
        return child;
      });
      const op = this.op();
      await Promise.all(children.map(() => op()));
    },
    async close() {
      await Promise.all(
        children.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.disconnect();
          return exited;
        }),
      );
    },
    op() {
      return () => {
        const child = children[next];
        next = next + 1 === n ? 0 : next + 1;
        const { id, promise } = pending.add();
        child.send({ id, p: p.small });
        return promise.then((r) => {
          if (r !== p.small) fail(name, String(r));
        });
      };
    },
  };
}

/** piscina with `n` threads, each holding up to 64 tasks (as many as a supervise worker). */
export function piscinaPool(p, n) {
  const name = `piscina, ${n} threads`;
  let pool;
  return {
    id: `piscina-${n}`,
    label: name,
    kind: 'piscina',
    workers: n,
    threads: true,
    async start() {
      pool = new Piscina({ filename: WORKERS.piscina, minThreads: n, maxThreads: n, concurrentTasksPerWorker: 64, idleTimeout: 2 ** 31 - 1 });
      const op = this.op();
      await Promise.all(Array.from({ length: n * 4 }, () => op()));
    },
    close: () => pool.close(),
    op() {
      return () =>
        pool.run(p.small).then((r) => {
          if (r !== p.small) fail(name, String(r));
        });
    },
  };
}

/** workerpool with `n` processes (workerType 'process'); each runs one task at a time, the rest queue in the pool. */
export function workerpoolPool(p, n) {
  const name = `workerpool, ${n} processes`;
  let pool;
  return {
    id: `workerpool-${n}`,
    label: name,
    kind: 'workerpool',
    workers: n,
    async start() {
      pool = workerpool.pool(WORKERS.workerpool, { workerType: 'process', minWorkers: n, maxWorkers: n });
      const op = this.op();
      await Promise.all(Array.from({ length: n }, () => op()));
    },
    close: () => pool.terminate(),
    op() {
      return () =>
        pool.exec('echo', [p.small]).then((r) => {
          if (r !== p.small) fail(name, String(r));
        });
    },
  };
}

// ── measuring ────────────────────────────────────────────────────────────

const TASK_STAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/**
 * CPU time of this process's main thread, ns, from Linux schedstat (NaN elsewhere).
 * process.cpuUsage() counts every thread of the process, which for piscina
 * includes its worker threads; this one counts only the thread that runs the
 * caller's JavaScript.
 */
export function mainThreadCpuNs() {
  try {
    return Number(readFileSync(TASK_STAT, 'latin1').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/**
 * Runs `op` from `inflight` concurrent loops (closed loop) for `ms`; returns
 * jobs/s and this process's CPU per job, µs: all threads (process.cpuUsage,
 * user + system) and the main thread alone. Children's CPU is not counted.
 */
export async function closedLoop(op, inflight, ms) {
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuNs();
  const t0 = performance.now();
  const endAt = t0 + ms;
  let ops = 0;
  const loop = async () => {
    while (performance.now() < endAt) {
      await op();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mainNs = mainThreadCpuNs() - main0;
  return { ops, ms: elapsed, rate: (ops * 1000) / elapsed, cpuUsPerJob: (cpu.user + cpu.system) / ops, mainUsPerJob: mainNs / 1000 / ops };
}
