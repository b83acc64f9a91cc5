// `npm run bench:scale`: the many-workers case (issue 13). 4 workers, then 8,
// tiny jobs (the 32-byte echo), 256 jobs in flight from 256 closed loops.
// For each contender: jobs/s, and the CPU time of THIS process (the parent,
// the supervisor side; children are not counted) per completed job.
//
//   node bench/scale.js [--quick] [--workers 4,8] [--rounds N] [--slice MS] [--warmup MS] [--rewarm MS] [--inflight N]
//                       [--contenders supervise,raw,fork,piscina,workerpool] [--pin CPU] [--out DIR]
//
// Contenders per phase (N = 4, then 8): supervise run() with N workers (perWorker 64), raw fd-3 with N
// children dealt round-robin, fork() JSON with N children round-robin, piscina with N threads
// (concurrentTasksPerWorker 64), workerpool with N processes; and, as references for CPU per job,
// supervise with 1 worker (perWorker 256, so all 256 jobs are in flight at the worker, as with N) and
// raw fd-3 with 1 child. Rounds interleave the contenders with a rotating order, as bench/run.js does; rates
// and CPU per job are medians over rounds, ratios are medians of per-round ratios.
//
// CPU per job has two columns: process.cpuUsage() (user + system, every thread of the parent, so it includes
// V8's GC helper threads and, for piscina, its worker threads) and the main thread alone (Linux schedstat).
// `--pin 0` runs the whole tree on one CPU: every contender then pays all its CPU on that CPU, workers included.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { payloads } from './lib/contenders.js';
import { pinIfAsked } from './lib/pin.js';
import { closedLoop, forkPool, piscinaPool, rawPool, supervisePool, workerpoolPool } from './lib/pools.js';
import { fmtRate, fmtRatio, max, median, min, table } from './lib/stats.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const quick = argv.includes('--quick');
const pinned = pinIfAsked(opt('--pin'));
const settings = {
  workers: (opt('--workers') ?? '4,8').split(',').map(Number),
  inflight: Number(opt('--inflight') ?? 256),
  rounds: Number(opt('--rounds') ?? (quick ? 2 : 15)),
  sliceMs: Number(opt('--slice') ?? (quick ? 100 : 250)),
  warmupMs: Number(opt('--warmup') ?? (quick ? 50 : 300)),
  rewarmMs: Number(opt('--rewarm') ?? (quick ? 10 : 40)),
  pinnedCpu: pinned,
};
const kinds = (opt('--contenders') ?? 'supervise,raw,fork,piscina,workerpool').split(',');
const outDir = path.resolve(opt('--out') ?? (quick ? path.join(benchDir, 'results.tmp') : benchDir));
const log = (msg) => process.stderr.write(`${msg}\n`);
const gc = globalThis.gc ?? (() => {});
const watchdog = setTimeout(() => {
  log('bench:scale: still running after 10 minutes; giving up');
  process.exit(1);
}, 10 * 60_000);
watchdog.unref();

/** The contenders of one phase: N workers each, plus the 1-worker references for CPU per job. */
function contendersFor(p, n) {
  const all = [supervisePool(p, n), supervisePool(p, 1, settings.inflight), rawPool(p, n), rawPool(p, 1), forkPool(p, n), piscinaPool(p, n), workerpoolPool(p, n)];
  return all.filter((c) => kinds.includes(c.kind));
}

/** One phase (N workers): start everyone, warm up, interleaved rounds, close; returns rows with medians and paired ratios. */
async function phase(p, n) {
  const contenders = [];
  const t0 = performance.now();
  // started side by side: dozens of node processes take seconds to boot one after the other
  const candidates = contendersFor(p, n);
  const started = await Promise.allSettled(candidates.map((c) => c.start()));
  candidates.forEach((c, i) => {
    const { status, reason } = started[i];
    if (status === 'fulfilled') contenders.push(c);
    else if (c.kind === 'supervise' || c.kind === 'raw') throw reason;
    else log(`! ${c.label} could not start, left out: ${reason.message}`);
  });
  log(`${n} workers: ${contenders.length} contenders started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ops = new Map(contenders.map((c) => [c.id, c.op()]));
  const samples = new Map(contenders.map((c) => [c.id, []]));
  if (settings.warmupMs > 0) for (const c of contenders) await closedLoop(ops.get(c.id), settings.inflight, settings.warmupMs);
  for (let round = 0; round < settings.rounds; round++) {
    const line = [];
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length];
      gc();
      // untimed, as in bench/run.js: the forced GC deoptimizes hot code whose objects it freed; re-optimize first
      if (settings.rewarmMs > 0) await closedLoop(ops.get(c.id), settings.inflight, settings.rewarmMs);
      const s = await closedLoop(ops.get(c.id), settings.inflight, settings.sliceMs);
      samples.get(c.id)[round] = s;
      line.push(`${c.id} ${fmtRate(s.rate)} (${s.cpuUsPerJob.toFixed(1)} µs)`);
    }
    log(`${n} workers, round ${round + 1}/${settings.rounds} (jobs/s, parent CPU per job): ${line.join(', ')}`);
  }
  const t1 = performance.now();
  await Promise.all(contenders.map((c) => c.close()));
  log(`${n} workers: closed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const paired = (a, b, f) => median(a.map((s, i) => (b[i] ? f(s) / f(b[i]) : NaN)));
  const raw = samples.get(`raw-${n}`) ?? [];
  const supN = samples.get(`supervise-${n}`) ?? [];
  const sup1 = samples.get('supervise-1') ?? [];
  const rows = contenders.map((c) => {
    const s = samples.get(c.id);
    const rates = s.map((x) => x.rate);
    return {
      id: c.id,
      label: c.label,
      workers: c.workers,
      median: median(rates),
      min: min(rates),
      max: max(rates),
      vsRaw: paired(s, raw, (x) => x.rate),
      cpuUsPerJob: median(s.map((x) => x.cpuUsPerJob)),
      mainUsPerJob: median(s.map((x) => x.mainUsPerJob)),
      cpuVsSupervise1: paired(s, sup1, (x) => x.cpuUsPerJob),
      superviseVsThis: paired(supN, s, (x) => x.rate),
      threads: Boolean(c.threads),
      samples: s,
    };
  });
  return { workers: n, rows };
}

function report(results) {
  const out = [''];
  const [l1, l2] = [results.env.loadavgStart[0], results.env.loadavgEnd[0]];
  out.push(
    `supervise bench:scale (${results.mode}${results.settings.pinnedCpu === null ? '' : `, whole tree pinned to CPU ${results.settings.pinnedCpu}`}): node ${results.env.node}, ${results.env.cpus} CPUs, load average ${l1.toFixed(2)} at start, ${l2.toFixed(2)} at end`,
  );
  out.push(`${results.settings.inflight} × 32-byte jobs in flight; ${results.settings.rounds} interleaved rounds × ${results.settings.sliceMs} ms; medians over rounds, ratios are medians of per-round ratios`);
  out.push('CPU µs/job = this (parent) process only, user + system over jobs completed in the slice; "all threads" = process.cpuUsage(), "main" = the main thread (schedstat)');
  for (const ph of results.phases) {
    out.push('');
    out.push(`g. many workers — ${ph.workers} workers (1-worker rows are references for CPU per job)`);
    out.push(
      table(
        ['contender', 'jobs/s (median)', 'min–max', `× raw ${ph.workers}`, 'CPU µs/job all threads', 'main thread', `× supervise 1`, `supervise ${ph.workers} / this`],
        ph.rows.map((r) => [
          r.label,
          fmtRate(r.median),
          `${fmtRate(r.min)}–${fmtRate(r.max)}`,
          fmtRatio(r.vsRaw),
          r.cpuUsPerJob.toFixed(2) + (r.threads ? ' (incl. threads)' : ''),
          Number.isFinite(r.mainUsPerJob) ? r.mainUsPerJob.toFixed(2) : 'n/a',
          fmtRatio(r.cpuVsSupervise1),
          r.id === `supervise-${ph.workers}` ? '' : fmtRatio(r.superviseVsThis),
        ]),
      ),
    );
  }
  out.push('');
  out.push('targets (reported, not asserted)');
  out.push(table(['what', 'value', 'target', 'met?'], results.targets.map((t) => [t.what, t.value, t.target, t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'])));
  out.push('');
  console.log(out.join('\n'));
}

function targets(phases) {
  const out = [];
  for (const ph of phases) {
    const sup = ph.rows.find((r) => r.id === `supervise-${ph.workers}`);
    if (!sup) continue;
    // the raw pool is the ceiling, not a rival: "highest of all" is among the pools a user could pick instead
    const others = ph.rows.filter((r) => r.workers === ph.workers && r !== sup && !r.id.startsWith('raw'));
    const best = others.reduce((a, b) => (b.median > (a?.median ?? -1) ? b : a), undefined);
    if (best) out.push({ what: `${ph.workers} workers: supervise jobs/s the highest of the pools (next: ${best.label})`, value: `${fmtRate(sup.median)} vs ${fmtRate(best.median)}`, target: 'highest', met: sup.median >= best.median });
    if (Number.isFinite(sup.vsRaw)) out.push({ what: `${ph.workers} workers: supervise jobs/s ÷ raw pool (paired)`, value: fmtRatio(sup.vsRaw), target: 'report', met: null });
    if (ph.rows.some((r) => r.id === 'supervise-1')) {
      out.push({ what: `${ph.workers} workers: supervise CPU/job ÷ supervise 1 worker (paired)`, value: fmtRatio(sup.cpuVsSupervise1), target: '≤ 1.00×', met: sup.cpuVsSupervise1 <= 1 });
    }
  }
  return out;
}

const loadavgStart = os.loadavg();
const started = performance.now();
log(`bench:scale: ${quick ? 'quick' : 'full'} mode${pinned === null ? '' : `, pinned to CPU ${pinned}`}`);
const p = payloads();
const phases = [];
for (const n of settings.workers) phases.push(await phase(p, n));
const results = {
  mode: quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  env: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown', loadavgStart, loadavgEnd: os.loadavg() },
  settings,
  phases,
  targets: targets(phases),
  durationSeconds: Math.round((performance.now() - started) / 100) / 10,
};
report(results);
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, pinned === null ? 'results-scale.json' : 'results-scale-pinned.json');
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
log(`wrote ${path.relative(process.cwd(), file)} in ${results.durationSeconds} s`);
process.exit(0);
