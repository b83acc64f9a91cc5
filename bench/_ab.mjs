// A/B: two builds of supervise side by side, interleaved rounds; pipelined small jobs; jobs/s and parent CPU µs/job.
const [aPath, bPath] = [process.env.A, process.env.B];
const workers = Number(process.env.W ?? 1), inflight = Number(process.env.INFLIGHT ?? 256), rounds = Number(process.env.R ?? 10), slice = Number(process.env.S ?? 500);
const worker = new URL('./workers/echo.js', import.meta.url);
const mk = async (p) => { const { createSupervisor } = await import(p); const s = createSupervisor({ worker, workers, perWorker: 256, logLevel: 'silent' }); await s.ready(); return s; };
const subs = { A: await mk(aPath), B: await mk(bPath) };
const payload = 'supervise-bench-32-byte-payload!';
async function drive(sup) {
  const end = performance.now() + slice; let ops = 0; const c0 = process.cpuUsage(); const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, async () => { while (performance.now() < end) { await sup.run(payload); ops++; } }));
  const c = process.cpuUsage(c0); return { rate: ops / ((performance.now() - t0) / 1000), cpu: (c.user + c.system) / ops };
}
const res = { A: [], B: [] }; const ratio = []; const cpuRatio = [];
for (let r = 0; r < rounds + 1; r++) { const order = r % 2 ? ['A', 'B'] : ['B', 'A']; const got = {}; for (const k of order) got[k] = await drive(subs[k]); if (r === 0) continue; res.A.push(got.A); res.B.push(got.B); ratio.push(got.B.rate / got.A.rate); cpuRatio.push(got.B.cpu / got.A.cpu); }
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`W=${workers} inflight=${inflight}: A ${med(res.A.map(x=>x.rate)).toFixed(0)}/s ${med(res.A.map(x=>x.cpu)).toFixed(2)}µs/job; B ${med(res.B.map(x=>x.rate)).toFixed(0)}/s ${med(res.B.map(x=>x.cpu)).toFixed(2)}µs/job; B/A rate ${med(ratio).toFixed(3)} cpu ${med(cpuRatio).toFixed(3)}`);
await subs.A.close(); await subs.B.close();
