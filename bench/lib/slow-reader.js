// One slow-reader measurement for `npm run bench:stream`, in a process of its own so that its peak RSS is that of
// a process running a supervisor and nothing else (RSS rarely shrinks, so a shared process would carry the figure
// of whatever ran before). Prints one JSON line: { idleMiB, peakMiB }.
//   node bench/lib/slow-reader.js out|in MiB
import { createSupervisor } from 'supervise';

const [direction, mib] = [process.argv[2], Number(process.argv[3])];
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sup = createSupervisor({ worker: new URL('../workers/stream-worker.js', import.meta.url), workers: 1, logLevel: 'warn' });
await sup.ready();
const bulk = new Uint8Array(MiB).fill(7);
globalThis.gc?.();
const idle = process.memoryUsage.rss();
let peak = idle;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
if (direction === 'out') {
  // the caller takes 10 ms per chunk
  for await (const _ of sup.stream(mib, { name: 'produce' })) await sleep(10);
} else {
  // the handler takes 10 ms per chunk
  async function* input() {
    for (let i = 0; i < mib; i++) yield bulk;
  }
  await sup.run(10, { name: 'consume', input: input() });
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
await sup.close();
process.stdout.write(`${JSON.stringify({ idleMiB: idle / MiB, peakMiB: peak / MiB })}\n`);
