// `npm run bench:stream`: streams and progress, side by side with the raw fd-3 bulk echo, as ratios.
//
//   stream out   a generator yields 1 MiB Uint8Array chunks; the caller reads them (MB/s of chunks)
//   stream in    the caller feeds 1 MiB chunks as input; the handler reads them (MB/s of input)
//   raw          the raw fd-3 baseline echoing 1 MiB (MB/s of completed echoes), as `npm run bench` measures it
//   slow reader  10 ms per chunk over --slow-mib MiB (default 1024): peak RSS of a process running only the
//                supervisor (bench/lib/slow-reader.js), out and in
//   progress     100,000 ctx.progress() calls in a tight loop: the job's time and the supervisor's RSS, against the
//                same job without them
//
// Rounds interleave the contenders so machine noise lands on each alike; figures are medians over rounds.
//   node bench/stream.js [--quick] [--rounds N] [--slice MS] [--slow-mib N]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSupervisor } from 'supervise';
import { spawnRaw } from './lib/raw-client.js';

const execFileAsync = promisify(execFile);

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const quick = args.includes('--quick');
const rounds = flag('--rounds', quick ? 2 : 10);
const sliceMs = flag('--slice', quick ? 300 : 1000);
const slowMiB = flag('--slow-mib', quick ? 64 : 1024);
const MiB = 1024 * 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const sup = createSupervisor({ worker: new URL('./workers/stream-worker.js', import.meta.url), workers: 1, logLevel: 'warn' });
await sup.ready();
const raw = spawnRaw();
const bulk = new Uint8Array(MiB).fill(7);
await raw.echo(bulk);

async function rawRate() {
  let bytes = 0;
  const end = performance.now() + sliceMs;
  const started = performance.now();
  while (performance.now() < end) {
    await raw.echo(bulk);
    bytes += MiB;
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

async function streamOutRate() {
  let bytes = 0;
  const started = performance.now();
  const end = started + sliceMs;
  for await (const chunk of sup.stream(1e9, { name: 'produce' })) {
    bytes += chunk.byteLength;
    if (performance.now() >= end) break;
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

async function streamInRate() {
  const started = performance.now();
  const end = started + sliceMs;
  async function* input() {
    while (performance.now() < end) yield bulk;
  }
  const bytes = await sup.run(0, { name: 'consume', input: input() });
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

/** Runs `task` while sampling this process's RSS every 50 ms; resolves with the peak, MiB. */
async function peakRss(task) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    await task();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) / MiB;
}

/** A slow reader in a process of its own (bench/lib/slow-reader.js): its idle and peak RSS, MiB. */
async function slowReader(direction) {
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', new URL('./lib/slow-reader.js', import.meta.url).pathname, direction, String(slowMiB)]);
  return JSON.parse(stdout);
}
const slowOut = await slowReader('out');
const slowIn = await slowReader('in');

const rates = { raw: [], out: [], in: [] };
const ratios = { out: [], in: [] };
for (let r = 0; r < rounds; r++) {
  const order = [
    ['raw', rawRate],
    ['out', streamOutRate],
    ['in', streamInRate],
  ];
  for (let i = 0; i < r % 3; i++) order.push(order.shift());
  const got = {};
  for (const [name, measure] of order) got[name] = await measure();
  for (const name of Object.keys(got)) rates[name].push(got[name]);
  ratios.out.push(got.out / got.raw);
  ratios.in.push(got.in / got.raw);
}

const timeJob = async (report) => {
  const started = performance.now();
  await sup.run({ n: 100_000, report }, { name: 'work', onProgress: report ? () => {} : undefined });
  return performance.now() - started;
};
const plainMs = [];
const progressMs = [];
let progressGrowth = 0;
for (let r = 0; r < 5; r++) {
  plainMs.push(await timeJob(false));
  const before = process.memoryUsage.rss() / MiB;
  progressGrowth = Math.max(progressGrowth, (await peakRss(async () => progressMs.push(await timeJob(true)))) - before);
}

const f = (x) => x.toFixed(0);
console.log(`rounds ${rounds}, slice ${sliceMs} ms; MB/s medians: raw echo ${f(median(rates.raw))}, stream out ${f(median(rates.out))}, stream in ${f(median(rates.in))}`);
console.log(`stream out / raw: ${median(ratios.out).toFixed(2)}×   (target ≥ 0.8×)`);
console.log(`stream in  / raw: ${median(ratios.in).toFixed(2)}×   (target ≥ 0.8×)`);
console.log(
  `slow reader, ${slowMiB} MiB at 10 ms per 1 MiB chunk, a process running only the supervisor: peak RSS out ${f(slowOut.peakMiB)} MiB, ` +
    `in ${f(slowIn.peakMiB)} MiB (idle ${f(slowOut.idleMiB)} and ${f(slowIn.idleMiB)} MiB; target < 100 MiB)`,
);
console.log(
  `progress flood, 100,000 calls: job ${median(progressMs).toFixed(1)} ms against ${median(plainMs).toFixed(1)} ms without (${(median(progressMs) / median(plainMs)).toFixed(2)}×), the supervisor's RSS grew by at most ${progressGrowth.toFixed(1)} MiB during it`,
);
await sup.close();
await raw.close();
