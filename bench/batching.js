// How many jobs share one socket write and one 'data' event in the supervisor, with 1, 4 and 8 workers and
// 256 jobs in flight: per-syscall and per-chunk costs are paid per batch, so this says why the parent's CPU
// per job moves with the number of workers (bench/PROFILE.md, "Many workers").
//
//   node bench/batching.js [--workers 1,4,8] [--ms 2000]
// It counts by wrapping net.Socket's write() and emit('data') in this process only; the first configuration
// also carries the JIT warm-up, so compare CPU per job in bench/scale.js (interleaved, paired) rather than here.
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

const ms = Number(opt('--ms', 2000));
for (const n of opt('--workers', '1,4,8').split(',').map(Number)) {
  const sup = createSupervisor({ worker: WORKERS.echoJs, workers: n, perWorker: Math.max(64, Math.ceil(256 / n)), logLevel: 'silent' });
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
    await Promise.all(Array.from({ length: 256 }, loop));
    return jobs;
  };
  await drive(500);
  counts.writes = counts.reads = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const jobs = await drive(ms);
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${n} worker${n === 1 ? '' : 's'}: ${Math.round((jobs * 1000) / (performance.now() - t0)).toLocaleString('en-US')} jobs/s, ` +
      `${(jobs / counts.writes).toFixed(1)} jobs per socket write, ${(jobs / counts.reads).toFixed(1)} jobs per 'data' event, ${((cpu.user + cpu.system) / jobs).toFixed(2)} µs CPU per job`,
  );
  await sup.close();
}
