// The contenders: one worker process (or thread) each, running an echo.
// Every contender exposes the same small interface:
//
//   await c.start()            spawn the worker and wait until it answers
//   c.op(kind)                 a function doing one request of that kind
//                              ('small' = the 32-byte job, 'bulk' = 1 MiB) and
//                              resolving when its echo is back and checked
//   c.map?(kind, inflight, endAt)  (supervise map() only) its own driver
//   await c.close()
//
// Payloads are made by the caller (see payloads()); each contender sends them
// the way its users would: JSON transports send bulk bytes as base64 and decode
// the reply, because JSON cannot carry a Uint8Array.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Piscina } from 'piscina';
import workerpool from 'workerpool';
import { createSupervisor } from 'supervise';
import { spawnRaw } from './raw-client.js';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
export const WORKERS = {
  echoJs: new URL('../workers/echo.js', import.meta.url),
  echoTs: new URL('../../workers/echo.ts', import.meta.url),
  fork: here('../workers/fork-echo.js'),
  piscina: new URL('../workers/piscina-echo.mjs', import.meta.url).href,
  workerpool: here('../workers/workerpool-echo.cjs'),
  execa: here('../workers/execa-echo.js'),
};

export const SMALL_SIZE = 32;
export const BULK_SIZE = 1024 * 1024;

/** The payloads every contender sends: a 32-character string (32 bytes) and 1 MiB of patterned bytes. */
export function payloads() {
  const small = 'supervise-bench-32-byte-payload!';
  if (small.length !== SMALL_SIZE) throw new Error('small payload must be 32 bytes');
  const bulk = new Uint8Array(BULK_SIZE);
  for (let i = 0; i < bulk.length; i++) bulk[i] = (i * 31 + 7) & 0xff;
  return { small, smallBytes: Buffer.from(small), bulk };
}

function fail(name, what) {
  throw new Error(`${name}: bad echo (${what})`);
}

/** Checks a bulk reply cheaply: type, length and a few bytes (a full compare would dominate the timing). */
function checkBulk(name, reply, sent) {
  if (!(reply instanceof Uint8Array)) fail(name, `got ${Object.prototype.toString.call(reply)}`);
  if (reply.byteLength !== sent.byteLength) fail(name, `length ${reply.byteLength}`);
  const n = sent.length;
  if (reply[0] !== sent[0] || reply[n >> 1] !== sent[n >> 1] || reply[n - 1] !== sent[n - 1]) fail(name, 'content');
}

/** Request/reply correlation by id, for the message-passing contenders. */
export class Pending {
  constructor() {
    this.map = new Map();
    this.next = 1;
  }
  add() {
    const id = this.next++;
    return { id, promise: new Promise((resolve, reject) => this.map.set(id, { resolve, reject })) };
  }
  settle(id, value) {
    const p = this.map.get(id);
    if (!p) return;
    this.map.delete(id);
    p.resolve(value);
  }
  rejectAll(error) {
    for (const p of this.map.values()) p.reject(error);
    this.map.clear();
  }
}

// ── supervise ────────────────────────────────────────────────────────────

/** One supervisor, one worker; `perWorker` is high enough for the pipelined case. */
export function superviseShared(p) {
  let sup;
  return {
    async start() {
      sup = createSupervisor({ worker: WORKERS.echoJs, workers: 1, perWorker: 64, logLevel: 'silent' });
      await sup.ready();
    },
    get instance() {
      return sup;
    },
    async close() {
      await sup.close();
    },
    p,
  };
}

export function superviseRun(shared) {
  const { p } = shared;
  const name = 'supervise run()';
  return {
    id: 'supervise-run',
    label: name,
    start: () => shared.start(),
    close: () => shared.close(),
    op(kind) {
      const sup = shared.instance;
      if (kind === 'small') {
        return () =>
          sup.run(p.small).then((r) => {
            if (r !== p.small) fail(name, String(r));
          });
      }
      return () => sup.run(p.bulk).then((r) => checkBulk(name, r, p.bulk));
    },
  };
}

export function superviseMap(shared) {
  const { p } = shared;
  const name = 'supervise map()';
  return {
    id: 'supervise-map',
    label: name,
    start: async () => {},
    close: async () => {},
    /** map() is its own driver: the input generator stops yielding at `endAt`; `window` = jobs in flight. */
    async map(kind, inflight, endAt) {
      const sup = shared.instance;
      const payload = kind === 'small' ? p.small : p.bulk;
      function* inputs() {
        while (performance.now() < endAt) yield payload;
      }
      let ops = 0;
      for await (const r of sup.map(inputs(), { window: inflight })) {
        if (kind === 'small') {
          if (r !== p.small) fail(name, String(r));
        } else checkBulk(name, r, p.bulk);
        ops++;
      }
      return ops;
    },
  };
}

// ── RAW: spawn() + stdio[3] = 'pipe' + length-prefixed frames ────────────

export function raw(p) {
  const name = 'raw fd-3';
  let client;
  return {
    id: 'raw',
    label: name,
    async start() {
      client = spawnRaw();
      await client.echo(p.smallBytes);
    },
    close: () => client.close(),
    op(kind) {
      if (kind === 'small') {
        return () =>
          client.echo(p.smallBytes).then((r) => {
            if (r.length !== 32) fail(name, `length ${r.length}`);
          });
      }
      return () => client.echo(p.bulk).then((r) => checkBulk(name, r, p.bulk));
    },
  };
}

// ── child_process.fork() IPC ─────────────────────────────────────────────

export function forkIpc(p, serialization) {
  const name = `fork ${serialization}`;
  const json = serialization === 'json';
  let child;
  const pending = new Pending();
  return {
    id: `fork-${serialization}`,
    label: name,
    async start() {
      child = fork(WORKERS.fork, [], { serialization, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => pending.settle(m.id, m.p));
      child.once('exit', () => pending.rejectAll(new Error(`${name} child exited`)));
      await this.op('small')();
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
    op(kind) {
      const send = (payload) => {
        const { id, promise } = pending.add();
        child.send({ id, p: payload });
        return promise;
      };
      if (kind === 'small') {
        return () =>
          send(p.small).then((r) => {
            if (r !== p.small) fail(name, String(r));
          });
      }
      if (json) {
        return () => send(Buffer.from(p.bulk.buffer, p.bulk.byteOffset, p.bulk.byteLength).toString('base64')).then((r) => checkBulk(name, Buffer.from(r, 'base64'), p.bulk));
      }
      return () => send(p.bulk).then((r) => checkBulk(name, r, p.bulk));
    },
  };
}

// ── piscina (worker threads) ─────────────────────────────────────────────

export function piscina(p) {
  const name = 'piscina';
  let pool;
  return {
    id: 'piscina',
    label: name,
    async start() {
      // one thread; it may hold as many tasks as supervise's worker does (perWorker 64)
      pool = new Piscina({ filename: WORKERS.piscina, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 64, idleTimeout: 2 ** 31 - 1 });
      await this.op('small')();
    },
    close: () => pool.close(),
    op(kind) {
      if (kind === 'small') {
        return () =>
          pool.run(p.small).then((r) => {
            if (r !== p.small) fail(name, String(r));
          });
      }
      // structured clone copies the bytes both ways (no transferList: the caller keeps its buffer, as with the others)
      return () => pool.run(p.bulk).then((r) => checkBulk(name, r, p.bulk));
    },
  };
}

// ── workerpool, workerType 'process' (fork + JSON IPC) ───────────────────

export function workerpoolProcess(p) {
  const name = 'workerpool process';
  let pool;
  return {
    id: 'workerpool',
    label: name,
    async start() {
      pool = workerpool.pool(WORKERS.workerpool, { workerType: 'process', minWorkers: 1, maxWorkers: 1 });
      await this.op('small')();
    },
    close: () => pool.terminate(),
    op(kind) {
      if (kind === 'small') {
        return () =>
          pool.exec('echo', [p.small]).then((r) => {
            if (r !== p.small) fail(name, String(r));
          });
      }
      return () =>
        pool
          .exec('echo', [Buffer.from(p.bulk.buffer, p.bulk.byteOffset, p.bulk.byteLength).toString('base64')])
          .then((r) => checkBulk(name, Buffer.from(r, 'base64'), p.bulk));
    },
  };
}

// ── execa@9 IPC (ipc: true; default serialization 'advanced') ────────────

export function execaIpc(p) {
  const name = 'execa ipc';
  let sub;
  let loop;
  const pending = new Pending();
  return {
    id: 'execa',
    label: name,
    async start() {
      // buffer: false, or execa keeps every message ever received in result.ipcOutput
      sub = execa(process.execPath, [WORKERS.execa], { ipc: true, buffer: false, stdio: ['ignore', 'inherit', 'inherit'], reject: false });
      loop = (async () => {
        for await (const m of sub.getEachMessage()) pending.settle(m.id, m.p);
      })();
      await this.op('small')();
    },
    async close() {
      sub.disconnect();
      await sub;
      await loop.catch(() => {});
    },
    op(kind) {
      const send = (payload) => {
        const { id, promise } = pending.add();
        return sub.sendMessage({ id, p: payload }).then(() => promise);
      };
      if (kind === 'small') {
        return () =>
          send(p.small).then((r) => {
            if (r !== p.small) fail(name, String(r));
          });
      }
      return () => send(p.bulk).then((r) => checkBulk(name, r, p.bulk));
    },
  };
}

/** All contenders of the throughput cases, in table order. */
export function allContenders(p) {
  const shared = superviseShared(p);
  return [superviseRun(shared), superviseMap(shared), raw(p), forkIpc(p, 'json'), forkIpc(p, 'advanced'), piscina(p), workerpoolProcess(p), execaIpc(p)];
}
