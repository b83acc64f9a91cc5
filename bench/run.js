// `npm run bench`: supervise against a RAW fd-3 baseline and other IPC pools,
// one worker each, echo handler. Asserts no speed; prints and records.
//
//   npm run bench                    full run (a few minutes); writes bench/results.json and bench/results.svg
//   npm run bench -- --quick         smoke run (seconds); writes into bench/results.tmp/ unless --out is given
//   options: --rounds N  --slice MS  --warmup MS  --rewarm MS  --out DIR  --only pingpong,pipelined,bulk,startup,memory,streams,scale,latency
//            --contenders supervise-run,supervise-map,raw,fork-json,fork-advanced,piscina,workerpool,execa
//            --pin CPU   (Linux, needs taskset) run the whole process tree on one CPU: every
//                        contender then pays its full CPU cost per job on that CPU, and
//                        ping-pong no longer depends on where the scheduler puts the two
//                        processes (on small VMs a cross-CPU wake-up costs more than the work)
//
// Throughput cases run in interleaved rounds: in every round each case gives
// each contender one time slice, and the contender order rotates from round
// to round, so background noise lands on every contender alike. A contender's
// rate is the median over rounds; a ratio between two contenders is the median
// of their per-round ratios (paired: both ran in the same round).
//
// The `streams` case (stream out and in against the raw bulk echo, slow readers' RSS, the progress flood) is
// bench/stream.js, run last as a process of its own, so its memory figures are not those of the cases before it.
// So are `scale` (bench/scale.js: 4 and 8 workers, 256 jobs in flight, jobs/s and the parent's CPU per job)
// and `latency` (bench/latency.js: open-loop arrivals at 50% and 90% of the peak, p50/p99/p99.9), after it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSupervisor } from 'supervise';
import { allContenders, BULK_SIZE, payloads, SMALL_SIZE, WORKERS } from './lib/contenders.js';
import { spawnRaw } from './lib/raw-client.js';
import { fmtMiB, fmtRate, fmtRatio, max, median, min, table } from './lib/stats.js';
import { renderSvg } from './lib/svg.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);

// ── options ──────────────────────────────────────────────────────────────

function parseArgs(argv) {
  const args = { quick: false, only: undefined, contenders: undefined, pin: undefined, out: undefined, rounds: undefined, slice: undefined, warmup: undefined, rewarm: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = value().split(',');
    else if (a === '--out') args.out = value();
    else if (a === '--contenders') args.contenders = value().split(',');
    else if (a === '--pin') args.pin = value();
    else if (a === '--rounds') args.rounds = Number(value());
    else if (a === '--slice') args.slice = Number(value());
    else if (a === '--warmup') args.warmup = Number(value());
    else if (a === '--rewarm') args.rewarm = Number(value());
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  return args;
}

function usage(error) {
  const text = 'usage: npm run bench -- [--quick] [--rounds N] [--slice MS] [--warmup MS] [--rewarm MS] [--out DIR] [--only pingpong,pipelined,bulk,startup,memory,streams,scale,latency] [--contenders raw,supervise-run,...] [--pin CPU]';
  if (error) {
    console.error(`${error}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const args = parseArgs(process.argv.slice(2));
if (args.pin !== undefined && process.env.SUPERVISE_BENCH_PINNED !== args.pin) {
  if (!/^\d+$/.test(args.pin)) usage('--pin takes a CPU number, like --pin 0');
  const argv = [...process.execArgv, process.argv[1], ...process.argv.slice(2)];
  const child = spawnSync('taskset', ['-c', args.pin, process.execPath, ...argv], { stdio: 'inherit', env: { ...process.env, SUPERVISE_BENCH_PINNED: args.pin } });
  if (child.error) usage(`--pin needs taskset (util-linux): ${child.error.message}`);
  process.exit(child.status ?? 1);
}
const baseSettings = args.quick
  ? { rounds: 2, sliceMs: 120, warmupMs: 60, rewarmMs: 10, startupReps: 2, startupWorkers: 4, memoryWorkers: 4, memoryJobs: 200, watchdogMs: 120_000 }
  : { rounds: 30, sliceMs: 160, warmupMs: 300, rewarmMs: 40, startupReps: 10, startupWorkers: 4, memoryWorkers: 4, memoryJobs: 2000, watchdogMs: 15 * 60_000 };
const settings = { ...baseSettings, pinnedCpu: args.pin === undefined ? null : Number(args.pin) };
if (args.rounds !== undefined) settings.rounds = args.rounds;
if (args.slice !== undefined) settings.sliceMs = args.slice;
if (args.warmup !== undefined) settings.warmupMs = args.warmup;
if (args.rewarm !== undefined) settings.rewarmMs = args.rewarm;
for (const k of ['rounds', 'sliceMs', 'warmupMs', 'rewarmMs']) {
  if (!Number.isFinite(settings[k]) || settings[k] < (k === 'warmupMs' || k === 'rewarmMs' ? 0 : 1)) usage(`bad value for ${k}`);
}
const outDir = path.resolve(args.out ?? (args.quick ? path.join(benchDir, 'results.tmp') : benchDir));
const want = (name) => !args.only || args.only.includes(name);

// A hung contender must not hang CI: give up loudly after the watchdog.
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${settings.watchdogMs / 1000} s; giving up`);
  process.exit(1);
}, settings.watchdogMs);
watchdog.unref();

const log = (msg) => process.stderr.write(`${msg}\n`);
const gc = globalThis.gc ?? (() => {});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ── the cases ────────────────────────────────────────────────────────────

const CASES = [
  { id: 'pingpong', title: 'a. ping-pong', kind: 'small', inflight: 1, unit: 'round trips/s', perOp: 1, about: `one ${SMALL_SIZE}-byte job in flight` },
  { id: 'pipelined', title: 'b. pipelined', kind: 'small', inflight: 64, unit: 'jobs/s', perOp: 1, about: `64 ${SMALL_SIZE}-byte jobs in flight` },
  { id: 'bulk', title: 'c. bulk', kind: 'bulk', inflight: 1, unit: 'MB/s', perOp: BULK_SIZE / 1e6, about: 'one 1 MiB Uint8Array in flight, echoed (MB = 10^6 payload bytes of completed echoes)' },
].filter((c) => want(c.id));

/** Runs `op` from `inflight` concurrent loops until `ms` have passed; the slice ends when the last loop does. */
async function drive(contender, kase, ms) {
  const t0 = performance.now();
  const endAt = t0 + ms;
  let ops;
  if (contender.map) {
    ops = await contender.map(kase.kind, kase.inflight, endAt);
  } else {
    const op = contender.op(kase.kind);
    ops = 0;
    const loop = async () => {
      while (performance.now() < endAt) {
        await op();
        ops++;
      }
    };
    await Promise.all(Array.from({ length: kase.inflight }, loop));
  }
  const elapsed = performance.now() - t0;
  return { ops, ms: elapsed, rate: (ops * kase.perOp * 1000) / elapsed };
}

async function throughput(p) {
  const contenders = [];
  for (const c of allContenders(p).filter((c) => !args.contenders || args.contenders.includes(c.id))) {
    try {
      await c.start();
      contenders.push(c);
    } catch (error) {
      if (c.id.startsWith('supervise') || c.id === 'raw') throw error;
      log(`! ${c.label} could not start, left out: ${error.message}`);
    }
  }
  const samples = new Map(); // `${case}/${contender}` → [{ops, ms, rate}] by round
  const order = (round) => contenders.map((_, i) => contenders[(i + round) % contenders.length]);

  log(`warm-up: ${settings.warmupMs} ms per contender and case`);
  if (settings.warmupMs > 0) for (const kase of CASES) for (const c of contenders) await drive(c, kase, settings.warmupMs);

  for (let round = 0; round < settings.rounds; round++) {
    for (const kase of CASES) {
      const line = [];
      for (const c of order(round)) {
        gc();
        // untimed: the forced GC deoptimizes code whose objects it freed (V8's "weak objects"), and each
        // contender first gets its hot path optimized again, so the slice measures it warm, not re-warming
        if (settings.rewarmMs > 0) await drive(c, kase, settings.rewarmMs);
        const s = await drive(c, kase, settings.sliceMs);
        const key = `${kase.id}/${c.id}`;
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key)[round] = s;
        line.push(`${c.id} ${fmtRate(s.rate)}`);
      }
      log(`round ${round + 1}/${settings.rounds} ${kase.id} (${kase.unit}): ${line.join(', ')}`);
    }
  }
  for (const c of [...contenders].reverse()) await c.close();

  return CASES.map((kase) => {
    const rawSamples = samples.get(`${kase.id}/raw`) ?? [];
    const runSamples = samples.get(`${kase.id}/supervise-run`) ?? [];
    const paired = (mine, theirs) => median(mine.map((s, i) => (theirs[i] ? s.rate / theirs[i].rate : NaN)));
    const rows = contenders.map((c) => {
      const s = samples.get(`${kase.id}/${c.id}`) ?? [];
      const rates = s.map((x) => x.rate);
      return {
        id: c.id,
        label: c.label,
        median: median(rates),
        min: min(rates),
        max: max(rates),
        vsRaw: paired(s, rawSamples),
        bestVsRaw: max(rates) / max(rawSamples.map((x) => x.rate)),
        superviseRunVsThis: paired(runSamples, s),
        samples: s,
      };
    });
    return { id: kase.id, title: kase.title, about: kase.about, unit: kase.unit, kind: kase.kind, inflight: kase.inflight, rows };
  });
}

// ── start-up ─────────────────────────────────────────────────────────────

async function startup() {
  const n = settings.startupWorkers;
  const variants = [
    {
      id: 'supervise-js',
      label: 'supervise, .js worker',
      async measure() {
        const t0 = performance.now();
        const sup = createSupervisor({ worker: WORKERS.echoJs, workers: n, logLevel: 'silent' });
        await sup.ready();
        const ms = performance.now() - t0;
        await sup.close();
        return ms;
      },
    },
    {
      id: 'supervise-ts',
      label: 'supervise, .ts worker',
      async measure() {
        const t0 = performance.now();
        const sup = createSupervisor({ worker: WORKERS.echoTs, workers: n, logLevel: 'silent' });
        await sup.ready();
        const ms = performance.now() - t0;
        await sup.close();
        return ms;
      },
    },
    {
      id: 'raw',
      label: 'raw fd-3 (peer)',
      async measure() {
        // bare node children: ready = the first echo came back
        const t0 = performance.now();
        const clients = Array.from({ length: n }, () => spawnRaw());
        await Promise.all(clients.map((c) => c.echo(Buffer.from('ready?'))));
        const ms = performance.now() - t0;
        await Promise.all(clients.map((c) => c.close()));
        return ms;
      },
    },
  ];
  const cold = {};
  for (const v of variants) cold[v.id] = await v.measure(); // first start: disk cache, tsx cache; reported, not counted
  const times = new Map(variants.map((v) => [v.id, []]));
  for (let rep = 0; rep < settings.startupReps; rep++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + rep) % variants.length];
      gc();
      times.get(v.id).push(await v.measure());
      await sleep(50);
    }
  }
  const rows = variants.map((v) => {
    const t = times.get(v.id);
    return { id: v.id, label: v.label, median: median(t), min: min(t), max: max(t), cold: cold[v.id], samples: t };
  });
  log(`start-up (ms to ${n} ready): ${rows.map((r) => `${r.id} ${r.median.toFixed(0)}`).join(', ')}`);
  return { workers: n, reps: settings.startupReps, rows };
}

// ── memory ───────────────────────────────────────────────────────────────

function memory() {
  const variants = [
    ['supervise-js', 'supervise, .js worker'],
    ['supervise-ts', 'supervise, .ts worker'],
    ['raw-js', 'raw fd-3 + .js module'],
    ['raw-ts', 'raw fd-3 + .ts module (tsx)'],
    ['raw-bare', 'raw fd-3, no module'],
    ['raw-execa', 'raw fd-3, parent imports execa'],
    ['node-idle', 'idle node (floor)'],
  ];
  const rows = variants.map(([id, label]) => {
    const out = execFileSync(process.execPath, [path.join(benchDir, 'memory-probe.js'), id, String(settings.memoryWorkers), String(settings.memoryJobs)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const r = JSON.parse(out.trim().split('\n').pop());
    return {
      id,
      label,
      workerRss: median(r.children.map((c) => c.rss)),
      workerPss: median(r.children.map((c) => c.pss ?? NaN)),
      processesPerWorker: max(r.children.map((c) => c.processes)),
      parentRss: r.parent,
      parentBefore: r.parentBefore,
      raw: r,
    };
  });
  log(`memory (RSS per worker): ${rows.map((r) => `${r.id} ${fmtMiB(r.workerRss)}`).join(', ')}`);
  return { workers: settings.memoryWorkers, jobs: settings.memoryJobs, rows };
}

// ── report ───────────────────────────────────────────────────────────────

// Issue 13's targets where it set them (ping-pong, pipelined and bulk against raw; pinned ping-pong against
// fork JSON, which only a pinned run measures fairly), issue 4's for the peers
const TARGETS = [
  { case: 'pingpong', vs: 'raw', min: 0.9, when: 'unpinned' },
  { case: 'pingpong', vs: 'fork-json', min: 1.0, when: 'pinned' },
  { case: 'pipelined', vs: 'raw', min: 0.7 },
  { case: 'pipelined', vs: 'fork-json', min: 2.5 },
  { case: 'pipelined', vs: 'piscina', min: 10 },
  { case: 'pipelined', vs: 'workerpool', min: 10 },
  { case: 'bulk', vs: 'raw', min: 1.0 },
  { case: 'bulk', vs: 'fork-advanced', min: 1.5 },
  { case: 'bulk', vs: 'fork-json', min: 10 },
  { case: 'bulk', vs: 'workerpool', min: 10, note: 'JSON IPC too' },
];

function pairedRatio(kase, a, b) {
  const sa = kase.rows.find((r) => r.id === a)?.samples;
  const sb = kase.rows.find((r) => r.id === b)?.samples;
  if (!sa || !sb) return NaN;
  return median(sa.map((s, i) => (sb[i] ? s.rate / sb[i].rate : NaN)));
}

/** Ratio of the two contenders' best slices: what each does when the machine leaves it alone. */
function bestRatio(kase, a, b) {
  const ra = kase.rows.find((r) => r.id === a);
  const rb = kase.rows.find((r) => r.id === b);
  return ra && rb ? ra.max / rb.max : NaN;
}

function evaluateTargets(cases, start, mem) {
  const out = [];
  const pinned = settings.pinnedCpu !== null;
  for (const t of TARGETS) {
    const kase = cases.find((c) => c.id === t.case);
    if (!kase || (t.when === 'pinned' && !pinned) || (t.when === 'unpinned' && pinned)) continue;
    for (const who of ['supervise-run', 'supervise-map']) {
      const ratio = pairedRatio(kase, who, t.vs);
      const best = bestRatio(kase, who, t.vs);
      out.push({ what: `${t.case}: ${who} / ${t.vs}`, value: ratio, best, target: `≥ ${t.min}×`, met: Number.isFinite(ratio) ? ratio >= t.min : null, note: t.note });
    }
  }
  if (start) {
    const js = start.rows.find((r) => r.id === 'supervise-js');
    const ts = start.rows.find((r) => r.id === 'supervise-ts');
    const ratio = ts.median / js.median;
    out.push({ what: 'start-up: .ts / .js (median)', value: ratio, target: '≤ 1.3×', met: ratio <= 1.3 });
  }
  if (mem) {
    for (const [sup, bare] of [
      ['supervise-js', 'raw-js'],
      ['supervise-ts', 'raw-ts'],
    ]) {
      const a = mem.rows.find((r) => r.id === sup);
      const b = mem.rows.find((r) => r.id === bare);
      const ratio = a.workerRss / b.workerRss;
      out.push({
        what: `memory: ${sup} worker RSS / ${bare} (bare node + runtime + module)`,
        value: ratio,
        target: '≤ 1.00×',
        met: ratio <= 1,
        note: `${fmtMiB(a.workerRss)} vs ${fmtMiB(b.workerRss)}`,
      });
    }
    // issue 13: a .js worker within 1 MiB of bare node running the raw echo, the supervisor within 1.15× a raw parent
    const js = mem.rows.find((r) => r.id === 'supervise-js');
    const floor = mem.rows.find((r) => r.id === 'raw-bare');
    if (js && floor) {
      const over = (js.workerRss - floor.workerRss) / 2 ** 20;
      out.push({ what: 'memory: supervise-js worker RSS − raw-bare (MiB)', value: over, unit: 'MiB', target: '≤ 1 MiB', met: over <= 1, note: `${fmtMiB(js.workerRss)} vs ${fmtMiB(floor.workerRss)}` });
      const parent = js.parentRss / floor.parentRss;
      out.push({ what: 'memory: supervisor RSS (4 workers) / raw parent', value: parent, target: '≤ 1.15×', met: parent <= 1.15, note: `${fmtMiB(js.parentRss)} vs ${fmtMiB(floor.parentRss)}` });
      // not a target: how much of that ratio is execa's import alone (a raw parent that imports it and uses nothing)
      const withExeca = mem.rows.find((r) => r.id === 'raw-execa');
      if (withExeca) {
        out.push({ what: 'memory: raw parent importing execa / raw parent (for reference)', value: withExeca.parentRss / floor.parentRss, target: 'n/a', met: undefined, note: `${fmtMiB(withExeca.parentRss)} vs ${fmtMiB(floor.parentRss)}` });
        out.push({ what: 'memory: supervisor RSS / raw parent importing execa (for reference)', value: js.parentRss / withExeca.parentRss, target: 'n/a', met: undefined, note: `${fmtMiB(js.parentRss)} vs ${fmtMiB(withExeca.parentRss)}` });
      }
    }
  }
  return out;
}

function printReport(results) {
  const out = [];
  out.push('');
  out.push(`supervise bench (${results.mode}${results.settings.pinnedCpu === null ? '' : `, whole process tree pinned to CPU ${results.settings.pinnedCpu}`}): node ${results.env.node}, ${results.env.platform}/${results.env.arch}, ${results.env.cpus} × ${results.env.cpuModel}`);
  const [l1, l2] = [results.env.loadavgStart[0], results.env.loadavgEnd[0]];
  out.push(`load average (1 min) at start ${l1.toFixed(2)}, at end ${l2.toFixed(2)}${Math.max(l1, l2) > results.env.cpus / 2 ? ': other processes were busy, expect noise (ping-pong suffers most)' : ''}`);
  out.push(`${results.settings.rounds} interleaved rounds × ${results.settings.sliceMs} ms per contender and case; one worker each; rates are medians over rounds, ratios are medians of per-round ratios; 'best' = each contender's fastest slice`);
  for (const c of results.cases) {
    out.push('');
    out.push(`${c.title} — ${c.about} — ${c.unit}`);
    out.push(
      table(
        ['contender', `${c.unit} (median)`, 'min–max', '× raw', 'best × best raw', 'supervise run() / this'],
        c.rows.map((r) => [
          r.label,
          fmtRate(r.median),
          `${fmtRate(r.min)}–${fmtRate(r.max)}`,
          fmtRatio(r.vsRaw),
          fmtRatio(r.bestVsRaw),
          r.id === 'supervise-run' ? '' : fmtRatio(r.superviseRunVsThis),
        ]),
      ),
    );
  }
  if (results.startup) {
    const s = results.startup;
    out.push('');
    out.push(`d. start-up — createSupervisor() until ${s.workers} workers are ready, ${s.reps} alternating reps — ms`);
    out.push(
      table(
        ['variant', 'median', 'min–max', 'first (cold)'],
        s.rows.map((r) => [r.label, `${r.median.toFixed(1)} ms`, `${r.min.toFixed(0)}–${r.max.toFixed(0)}`, `${r.cold.toFixed(0)} ms`]),
      ),
    );
  }
  if (results.memory) {
    const m = results.memory;
    out.push('');
    out.push(`e. memory — ${m.workers} workers each, after ${m.jobs} small jobs per worker — RSS of each worker's process tree (median), PSS where available, and the parent's RSS`);
    out.push(
      table(
        ['variant', 'RSS / worker', 'PSS / worker', 'parent RSS', 'parent at start'],
        m.rows.map((r) => [r.label, fmtMiB(r.workerRss), Number.isFinite(r.workerPss) ? fmtMiB(r.workerPss) : 'n/a', fmtMiB(r.parentRss), fmtMiB(r.parentBefore)]),
      ),
    );
  }
  out.push('');
  out.push('targets (reported, not asserted)');
  out.push(
    table(
      ['ratio', 'median', 'best/best', 'target', 'met? (median)'],
      results.targets.map((t) => [
        t.what + (t.note ? ` (${t.note})` : ''),
        t.unit === 'MiB' ? `${t.value.toFixed(1)} MiB` : fmtRatio(t.value),
        t.best === undefined ? '' : fmtRatio(t.best),
        t.target,
        t.met === null ? 'n/a' : t.met === undefined ? 'reference' : t.met ? 'met' : 'MISSED',
      ]),
    ),
  );
  out.push('');
  console.log(out.join('\n'));
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(rootDir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

// ── main ─────────────────────────────────────────────────────────────────

const started = performance.now();
const loadavgStart = os.loadavg();
log(`supervise bench: ${args.quick ? 'quick' : 'full'} mode${globalThis.gc ? '' : ' (no --expose-gc: no GC between slices)'}`);
const p = payloads();
const cases = CASES.length ? await throughput(p) : [];
const start = want('startup') ? await startup() : undefined;
const mem = want('memory') ? memory() : undefined;

const results = {
  mode: args.quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  commit: gitCommit(),
  env: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown', totalmem: os.totalmem(), loadavgStart, loadavgEnd: os.loadavg() },
  versions: {
    supervise: JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')).version,
    piscina: versionOf('piscina'),
    workerpool: versionOf('workerpool'),
    execa: versionOf('execa'),
  },
  settings: { ...settings, smallBytes: SMALL_SIZE, bulkBytes: BULK_SIZE },
  cases,
  startup: start,
  memory: mem,
  targets: [],
  durationSeconds: 0,
};
results.targets = evaluateTargets(cases, start, mem);
results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;

// `--only streams,scale,latency` selects none of this process's own cases: then there is nothing to report or record here
if (cases.length || start || mem) {
  printReport(results);
  mkdirSync(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'results.json');
  const svgPath = path.join(outDir, 'results.svg');
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(svgPath, renderSvg(results, { fmtRate }));
  log(`wrote ${path.relative(process.cwd(), jsonPath)} and ${path.relative(process.cwd(), svgPath)} in ${results.durationSeconds} s`);
}
// the cases with scripts of their own run last, each in a process of its own; --quick, --pin and --out pass through
for (const [id, script] of [
  ['streams', 'stream.js'],
  ['scale', 'scale.js'],
  ['latency', 'latency.js'],
]) {
  if (!want(id)) continue;
  log(`${id} (bench/${script}):`);
  const passed = [...(args.quick ? ['--quick'] : []), ...(id !== 'streams' && args.pin !== undefined ? ['--pin', args.pin] : []), ...(id !== 'streams' && args.out ? ['--out', outDir] : [])];
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(benchDir, script), ...passed], { stdio: 'inherit' });
  if (child.status !== 0) process.exit(child.status ?? 1);
}
// every contender was closed; exit now rather than wait on a straggling handle
process.exit(0);
