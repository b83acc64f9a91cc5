// Bytes the supervisor allocates per job, by function: a sampled heap profile that counts what the garbage
// collector has already freed too (V8's includeObjectsCollectedBy{Minor,Major}GC), taken in this process while
// small jobs run pipelined. Unlike timings, it hardly moves with the load on the machine, so it can tell a change
// that allocates less from noise.
//
//   node bench/allocations.js [--jobs N] [--inflight N] [--payload string|object] [--api run|map] [--top N]
//
// --api run (the default) keeps `inflight` run() calls going; --api map runs the jobs through one map() with a
// window of `inflight`, so what map() itself allocates per result is counted too.
import { Session } from 'node:inspector/promises';
import { createSupervisor } from 'supervise';
import { WORKERS } from './lib/contenders.js';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const jobs = Number(opt('--jobs', 50_000));
const inflight = Number(opt('--inflight', 256));
const top = Number(opt('--top', 12));
const api = opt('--api', 'run');
const payload = opt('--payload', 'string') === 'object' ? { id: 1, name: 'supervise-bench', tags: ['a', 'b'] } : 'supervise-bench-32-byte-payload!';

const sup = createSupervisor({ worker: WORKERS.echoJs, workers: 1, perWorker: inflight, logLevel: 'silent' });
await sup.ready();
/** Runs `count` jobs, `inflight` at a time; the drivers are counted apart from the supervisor. */
async function drive(count) {
  if (api === 'map') {
    function* driver() {
      for (let i = 0; i < count; i++) yield payload;
    }
    for await (const result of sup.map(driver(), { window: inflight })) if (typeof payload === 'string' && result !== payload) throw new Error(`wrong result ${result}`);
    return;
  }
  let left = count;
  await Promise.all(Array.from({ length: inflight }, async function driver() {
    while (left-- > 0) await sup.run(payload);
  }));
}
await drive(20_000); // warm-up: let the JIT settle first

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
await drive(jobs);
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
await sup.close();

const byFunction = new Map();
let total = 0;
let driver = 0;
(function walk(node, inDriver) {
  const frame = node.callFrame;
  const isDriver = inDriver || frame.functionName === 'driver';
  if (node.selfSize > 0) {
    if (isDriver && frame.url.endsWith('allocations.js')) driver += node.selfSize;
    else {
      const where = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
  }
  for (const child of node.children) walk(child, isDriver);
})(profile.head, false);

console.log(`${jobs.toLocaleString('en-US')} jobs of a ${typeof payload === 'string' ? '32-byte string' : 'small object'}, ${inflight} in flight, 1 worker, through ${api}()`);
console.log(`supervisor: ${Math.round(total / jobs)} bytes allocated per job (the driving loops: ${Math.round(driver / jobs)} more)`);
for (const [where, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${String(Math.round(bytes / jobs)).padStart(6)} B/job  ${where}`);
}
