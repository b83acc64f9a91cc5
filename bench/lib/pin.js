// `--pin CPU` for the scripts run on their own (bench/scale.js, bench/latency.js),
// as bench/run.js does it: re-run this process under `taskset -c CPU`, so the
// whole process tree (children inherit the affinity) shares that one CPU.
import { spawnSync } from 'node:child_process';

/** Re-executes the current script under taskset unless it already runs pinned to `cpu`; returns the pinned CPU or null. */
export function pinIfAsked(cpu) {
  if (cpu === undefined) return null;
  if (!/^\d+$/.test(cpu)) {
    console.error('--pin takes a CPU number, like --pin 0');
    process.exit(2);
  }
  if (process.env.SUPERVISE_BENCH_PINNED === cpu) return Number(cpu);
  const argv = [...process.execArgv, process.argv[1], ...process.argv.slice(2)];
  const child = spawnSync('taskset', ['-c', cpu, process.execPath, ...argv], { stdio: 'inherit', env: { ...process.env, SUPERVISE_BENCH_PINNED: cpu } });
  if (child.error) {
    console.error(`--pin needs taskset (util-linux): ${child.error.message}`);
    process.exit(2);
  }
  process.exit(child.status ?? 1);
}
