// Summarizes V8 .cpuprofile files: where the samples landed.
//
//   node bench/cpuprofile-top.js FILE.cpuprofile [--top N]
//
// Self time per function (grouped by name + file + line), inclusive time for
// the same functions, and self time per "area" (supervise's own code, its
// dependencies, node internals, GC, idle).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function analyze(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // a sample's time is the gap to the next sample
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const keyOf = (n) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'}\t${f.url}\t${f.lineNumber + 1}`;
  };
  const self = new Map();
  const inclusive = new Map();
  const areas = new Map();
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    const k = keyOf(n);
    self.set(k, (self.get(k) ?? 0) + us);
    const area = areaOf(n.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const key = keyOf(nodes.get(cur));
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  return { file, totalUs: total, self, inclusive, areas };
}

function areaOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'program (native, unattributed)';
    return 'native / builtins';
  }
  if (url.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] === 'supervise' ? 'supervise' : `dep: ${m[1]}`;
  if (/\/dist\//.test(url)) return 'supervise';
  if (/\/bench\//.test(url)) return 'bench driver';
  return 'other';
}

function shortUrl(url) {
  if (!url) return '';
  if (url.startsWith('node:')) return url;
  const m = /node_modules\/(.*)$/.exec(url);
  if (m) return m[1];
  const d = /\/(dist\/.*|bench\/.*|workers\/.*)$/.exec(url);
  return d ? d[1] : path.basename(url);
}

export function report(result, top = 20) {
  const pct = (us) => `${((us / result.totalUs) * 100).toFixed(1).padStart(5)}%`;
  const busy = result.totalUs - (result.areas.get('idle') ?? 0);
  const lines = [];
  lines.push(`${path.basename(result.file)}: ${(result.totalUs / 1e6).toFixed(2)} s sampled, ${((busy / result.totalUs) * 100).toFixed(1)}% not idle`);
  lines.push('  by area (self time):');
  for (const [area, us] of [...result.areas].sort((a, b) => b[1] - a[1])) lines.push(`    ${pct(us)}  ${area}`);
  lines.push(`  top ${top} functions by self time:`);
  for (const [k, us] of [...result.self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, url, line] = k.split('\t');
    lines.push(`    ${pct(us)}  ${name}  ${shortUrl(url)}${url ? `:${line}` : ''}`);
  }
  lines.push(`  top ${top} supervise / dependency functions by inclusive time:`);
  const ours = [...result.inclusive].filter(([k]) => {
    const url = k.split('\t')[1];
    return url && !url.startsWith('node:') && !/\/bench\//.test(url);
  });
  for (const [k, us] of ours.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, url, line] = k.split('\t');
    lines.push(`    ${pct(us)}  ${name}  ${shortUrl(url)}:${line}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv.splice(topAt, 2)[1]) : 20;
  for (const f of argv) console.log(report(analyze(f), top) + '\n');
}
