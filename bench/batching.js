// How many jobs share one socket write and one 'data' event in the supervisor, with 1, 4 and 8 workers and
// 256 jobs in flight: per-syscall and per-chunk costs are paid per batch, so this says why the parent's CPU
// per job moves with the number of workers (bench/PROFILE.md, "Many workers").
//
//   node bench/batching.js [--workers 1,4,8] [--inflight 256] [--rounds 8] [--ms 250]
//   node bench/batching.js --configs 1x256,8x256,1x32     workers × jobs in flight, one run each
//
// The second form separates the two things that change with more workers: one worker at 32 jobs in flight gets
// the batches that 8 workers at 256 get, on one socket instead of eight.
// It counts by wrapping net.Socket's write() and emit('data') in this process only. Configurations run side by
// side in interleaved rounds (--rounds, slices of --ms), each figure a median over rounds.
import net from 'node:net';
import { createSupervisor } from 'supervise';
import { WORKERS } from './lib/contenders.js';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const counts = { writes: 0, reads: 0 };
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  counts.writes++;
  return write.apply(this, args);
};
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (event, ...args) {
  if (event === 'data') counts.reads++;
  return emit.call(this, event, ...args);
};

const ms = Number(opt('--ms', 250));
const rounds = Number(opt('--rounds', 8));
const inflightDefault = Number(opt('--inflight', 256));
const configs = opt('--configs')
  ? opt('--configs').split(',').map((c) => c.split('x').map(Number))
  : opt('--workers', '1,4,8').split(',').map((n) => [Number(n), inflightDefault]);
const runs = [];
for (const [n, inflight] of configs) {
  const sup = createSupervisor({ worker: WORKERS.echoJs, workers: n, perWorker: Math.max(64, Math.ceil(inflight / n)), logLevel: 'silent' });
  await sup.ready();
  const drive = async (sliceMs) => {
    let jobs = 0;
    const end = performance.now() + sliceMs;
    const loop = async () => {
      while (performance.now() < end) {
        await sup.run('supervise-bench-32-byte-payload!');
        jobs++;
      }
    };
    await Promise.all(Array.from({ length: inflight }, loop));
    return jobs;
  };
  await drive(500);
  runs.push({ n, inflight, sup, drive, slices: [] });
}
// interleaved rounds, the order rotating, so that the machine's noise lands on every configuration alike
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < runs.length; i++) {
    const run = runs[(i + round) % runs.length];
    await run.drive(40); // untimed: the previous configuration's slice may have left this one's code cold
    counts.writes = counts.reads = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const jobs = await run.drive(ms);
    const cpu = process.cpuUsage(cpu0);
    run.slices.push({ rate: (jobs * 1000) / (performance.now() - t0), perWrite: jobs / counts.writes, perRead: jobs / counts.reads, cpu: (cpu.user + cpu.system) / jobs });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const { n, inflight, sup, slices } of runs) {
  const m = (k) => median(slices.map((x) => x[k]));
  console.log(
    `${n} worker${n === 1 ? '' : 's'}, ${inflight} in flight: ${Math.round(m('rate')).toLocaleString('en-US')} jobs/s, ` +
      `${m('perWrite').toFixed(1)} jobs per socket write, ${m('perRead').toFixed(1)} jobs per 'data' event, ${m('cpu').toFixed(2)} µs CPU per job (medians of ${rounds} rounds)`,
  );
  await sup.close();
}
