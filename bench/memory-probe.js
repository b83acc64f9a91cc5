// The memory case, one variant per process so variants cannot inflate each other:
//
//   node bench/memory-probe.js <variant> <workers> <jobs>
//
//   supervise-js / supervise-ts   createSupervisor with the echo worker (.js / .ts)
//   raw-bare                      spawn() + fd-3 length-prefixed echo, no module
//   raw-js / raw-ts               the same child, also loading the echo module (.ts through tsx, as supervise does)
//   raw-execa                     raw-bare whose parent also imports execa (and uses nothing of it): what the
//                                 spawning library supervise is built on costs a parent by itself
//   node-idle                     `node -e 'setInterval(...)'`: the floor of any node process
//
// Each variant starts `workers` children, sends each `jobs` small echoes (32 bytes),
// waits for things to settle, then prints one JSON line: the parent's RSS and
// each child's tree RSS/PSS.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { treeMemory } from './lib/proc.js';
import { spawnRaw } from './lib/raw-client.js';

const [variant, workersArg = '4', jobsArg = '2000'] = process.argv.slice(2);
const workers = Number(workersArg);
const jobs = Number(jobsArg);
const echoJs = new URL('./workers/echo.js', import.meta.url);
const echoTs = new URL('../workers/echo.ts', import.meta.url);
const small = Buffer.from('supervise-bench-32-byte-payload!');

const parentBefore = process.memoryUsage.rss();
let pids = [];
let parentAfterImport;
let close;

if (variant === 'supervise-js' || variant === 'supervise-ts') {
  const { createSupervisor } = await import('supervise');
  parentAfterImport = process.memoryUsage.rss();
  const sup = createSupervisor({ worker: variant === 'supervise-js' ? echoJs : echoTs, workers, logLevel: 'silent' });
  sup.on('worker:ready', (e) => pids.push(e.pid));
  await sup.ready();
  const text = small.toString();
  const loops = Array.from({ length: workers }, async () => {
    for (let i = 0; i < jobs; i++) await sup.run(text);
  });
  await Promise.all(loops);
  close = () => sup.close();
} else if (variant.startsWith('raw-')) {
  if (variant === 'raw-execa') await import('execa');
  parentAfterImport = process.memoryUsage.rss();
  const module = variant === 'raw-js' ? echoJs : variant === 'raw-ts' ? echoTs : undefined;
  const clients = Array.from({ length: workers }, () => spawnRaw(module));
  pids = clients.map((c) => c.pid);
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < jobs; i++) await c.echo(small);
    }),
  );
  close = () => Promise.all(clients.map((c) => c.close()));
} else if (variant === 'node-idle') {
  parentAfterImport = process.memoryUsage.rss();
  const children = Array.from({ length: workers }, () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' }));
  pids = children.map((c) => c.pid);
  await sleep(300);
  close = async () => {
    await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill()))));
  };
} else {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}

// let startup garbage and the last replies settle; then sample
await sleep(500);
const children = pids.map((pid) => ({ pid, ...treeMemory(pid) }));
const parent = process.memoryUsage.rss();
await close();
process.stdout.write(JSON.stringify({ variant, workers, jobs, parentBefore, parentAfterImport, parent, children }) + '\n');
