// CPU profiles of supervise's ping-pong and pipelined cases, of the supervisor
// process and of its worker, with a summary of where the time goes.
//
//   node bench/profile.js [--seconds N] [--out DIR] [--case pingpong|pipelined|bulk|many] [--workers N]
//
// `many` is the many-workers case of bench/scale.js: 256 jobs in flight over --workers workers (default 4;
// with 1 worker, perWorker 256 so all 256 are in flight at it).
//
// For each case it starts `node --cpu-prof` on this file in target mode; the
// target creates a supervisor whose worker runs with
// execArgv ['--cpu-prof', '--cpu-prof-dir=...'], drives the case for N seconds
// and closes gracefully (so the worker writes its profile on exit).
// Profiles land in DIR/<case>/{supervisor,worker}/ (default bench/results.tmp/profile).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, report } from './cpuprofile-top.js';

const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};

if (argv[0] === '--target') {
  // target mode: runs inside `node --cpu-prof`
  const { createSupervisor } = await import('supervise');
  const [, kase, seconds, workerDir, workersArg] = argv;
  const workers = Number(workersArg ?? 1);
  const inflight = kase === 'pipelined' ? 64 : kase === 'many' ? 256 : 1;
  const sup = createSupervisor({
    worker: new URL('./workers/echo.js', import.meta.url),
    workers,
    perWorker: kase === 'many' ? Math.max(64, Math.ceil(256 / workers)) : 64,
    logLevel: 'silent',
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${workerDir}`],
  });
  await sup.ready();
  const payload = kase === 'bulk' ? new Uint8Array(1024 * 1024).fill(7) : 'supervise-bench-32-byte-payload!';
  const endAt = performance.now() + Number(seconds) * 1000;
  let ops = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() < endAt) {
        await sup.run(payload);
        ops++;
      }
    }),
  );
  const rate = (ops * 1000) / (performance.now() - t0);
  await sup.close();
  console.log(`${kase}${kase === 'many' ? ` (${workers} workers)` : ''}: ${Math.round(rate).toLocaleString('en-US')} jobs/s under the profiler${kase === 'bulk' ? ` (${Math.round((rate * payload.byteLength) / 1e6)} MB/s)` : ''}`);
} else {
  const seconds = Number(opt('--seconds', '5'));
  const out = path.resolve(opt('--out', path.join(path.dirname(self), 'results.tmp', 'profile')));
  const cases = opt('--case') ? [opt('--case')] : ['pingpong', 'pipelined'];
  for (const kase of cases) {
    const workers = opt('--workers', kase === 'many' ? '4' : '1');
    const dir = path.join(out, kase === 'many' ? `many-${workers}` : kase);
    rmSync(dir, { recursive: true, force: true });
    const supDir = path.join(dir, 'supervisor');
    const workerDir = path.join(dir, 'worker');
    mkdirSync(supDir, { recursive: true });
    mkdirSync(workerDir, { recursive: true });
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${supDir}`, self, '--target', kase, String(seconds), workerDir, workers], { stdio: 'inherit' });
    for (const [who, d] of [
      ['supervisor', supDir],
      ['worker', workerDir],
    ]) {
      for (const f of readdirSync(d).filter((n) => n.endsWith('.cpuprofile'))) {
        console.log(`── ${kase} / ${who} ──`);
        console.log(report(analyze(path.join(d, f)), 20) + '\n');
      }
    }
  }
}
