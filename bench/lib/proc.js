// Process memory: RSS of a process and its descendants (a .ts worker has an
// esbuild service child, which is part of what that worker costs), plus PSS
// where Linux offers it (shared pages divided among the processes sharing them).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** pid → { ppid, rssKiB } for every process, from ps (works on Linux and macOS). */
function processTable() {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  const table = new Map();
  for (const line of out.split('\n')) {
    const [pid, ppid, rss] = line.trim().split(/\s+/).map(Number);
    if (pid) table.set(pid, { ppid, rssKiB: rss });
  }
  return table;
}

/** `pid` and all its descendants. */
export function descendants(pid, table = processTable()) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    for (const [child, info] of table) if (info.ppid === out[i]) out.push(child);
  }
  return out;
}

function pssBytes(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Memory of a process tree: summed RSS and PSS (bytes), and how many processes it has. */
export function treeMemory(pid) {
  const table = processTable();
  const pids = descendants(pid, table);
  let rss = 0;
  let pss = 0;
  let pssKnown = true;
  for (const p of pids) {
    rss += (table.get(p)?.rssKiB ?? 0) * 1024;
    const v = pssBytes(p);
    if (v === undefined) pssKnown = false;
    else pss += v;
  }
  return { rss, pss: pssKnown ? pss : undefined, processes: pids.length, selfRss: (table.get(pid)?.rssKiB ?? 0) * 1024 };
}
