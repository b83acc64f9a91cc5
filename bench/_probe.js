import { createSupervisor } from 'supervise';
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sup = createSupervisor({ worker: new URL('./workers/stream-worker.js', import.meta.url), workers: 1, logLevel: 'warn' });
await sup.ready();
const bulk = new Uint8Array(MiB).fill(7);
globalThis.gc();
const snap = (tag) => { const m = process.memoryUsage(); console.log(tag, ['rss','heapTotal','heapUsed','external','arrayBuffers'].map(k=>k+'='+(m[k]/MiB).toFixed(1)).join(' ')); };
snap('idle');
let peak = 0; let at;
const timer = setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak) { peak = r; at = process.memoryUsage(); } }, 50);
const dir = process.argv[2] ?? 'out';
const n = Number(process.argv[3] ?? 300);
if (dir === 'out') { for await (const _ of sup.stream(n, { name: 'produce' })) await sleep(10); }
else { async function* input() { for (let i = 0; i < n; i++) yield bulk; } await sup.run(10, { name: 'consume', input: input() }); }
clearInterval(timer);
console.log('peak', ['rss','heapTotal','heapUsed','external','arrayBuffers'].map(k=>k+'='+(at[k]/MiB).toFixed(1)).join(' '));
snap('end');
await sup.close();
