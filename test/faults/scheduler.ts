/*
 * Plays a Plan against a live supervisor and records what happened: every
 * job and how it settled, every fault as it landed (the fault log), worker
 * spawns and exits, job:done events, reloads, recovery, close, and the
 * processes left behind. It judges nothing: invariants.ts does, from the record.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createSupervisor, type SupervisorOptions, type SupervisorState, type WorkerStats } from 'supervise';
import { alive, fixture, waitFor } from '../helpers.js';
import { SETTINGS, STREAM_CHUNKS, type Action, type JobSpec, type Plan, type Step } from './plan.js';

export interface JobRecord {
  spec: JobSpec;
  /** ms from the start of the run, like every time in a record. */
  at: number;
  /** sup.state when run() was called: a pool that is not running must refuse the job. */
  state: SupervisorState;
  settledAt?: number;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
  /** A stream job's chunks, as they reached the caller. */
  chunks?: unknown[];
  /** Still unsettled when every job had to be settled: close() resolved (plus a second), or its bound passed. */
  stranded?: boolean;
}

export interface ReloadRecord {
  broken: boolean;
  at: number;
  settledAt?: number;
  error?: unknown;
}

export interface RunRecord {
  plan: Plan;
  jobs: JobRecord[];
  reloads: ReloadRecord[];
  spawned: number[];
  /** pids reported by worker:exit */
  exited: Set<number>;
  /** job:done events per supervisor job id, and per handler name */
  done: Map<number, number>;
  doneByName: Map<string, { ok: number; failed: number }>;
  /** Errors the pool failed with ('failed' events). */
  failures: string[];
  /** Pool size the last resize() asked for. */
  target: number;
  /** ms the pool took to get back to `target` ready workers after the storm; null: it did not; undefined: not checked. */
  recoveredIn: number | null | undefined;
  closeCalledAt?: number;
  /** ms close() took; null: it did not resolve within `closeBound`. */
  closeTook: number | null;
  closeBound: number;
  closeError?: unknown;
  grandchildren: number[];
  leftover: Array<{ pid: number; what: 'worker' | 'grandchild' | 'unrecorded descendant' }>;
  /** Faults that landed, by kind and the state of the worker they hit ('kill:starting'), plus misses. */
  faults: Map<string, number>;
  log: string[];
  supervisorLog: string[];
  took: number;
}

/** How long a kill or stop aimed at a phase waits for a worker in that phase. */
const ARM_MS = 1500;
const RECOVERY_MS = 15_000;

export async function runPlan(plan: Plan): Promise<RunRecord> {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-faults-'));
  const pidsFile = path.join(dir, 'grandchildren');
  const brokenFile = path.join(dir, 'broken');
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const rec: RunRecord = {
    plan,
    jobs: [],
    reloads: [],
    spawned: [],
    exited: new Set(),
    done: new Map(),
    doneByName: new Map(),
    failures: [],
    target: plan.pool.workers,
    recoveredIn: undefined,
    closeTook: null,
    closeBound: SETTINGS.drainTimeout + SETTINGS.killGrace + 10_000,
    grandchildren: [],
    leftover: [],
    faults: new Map(),
    log: [],
    supervisorLog: [],
    took: 0,
  };
  const note = (line: string): void => {
    rec.log.push(`+${String(now()).padStart(5)} ms  ${line}`);
  };
  const count = (key: string) => rec.faults.set(key, (rec.faults.get(key) ?? 0) + 1);
  const logger = pino(
    { level: 'warn', base: null, timestamp: false },
    {
      write: (line: string) => {
        rec.supervisorLog.push(`+${String(now()).padStart(5)} ms  ${summarizeLogLine(line)}`);
        if (rec.supervisorLog.length > 200) rec.supervisorLog.shift();
      },
    },
  );
  // drainTimeout is new in the rewrite; an older build ignores it
  const options: SupervisorOptions & { drainTimeout: number } = {
    worker: fixture('faulty.ts'),
    logger,
    ...plan.pool,
    ...SETTINGS,
    env: { FAULTY_PIDS: pidsFile, FAULTY_BROKEN: brokenFile },
  };
  const sup = createSupervisor(options);

  let everReady = false;
  let aborted = false;
  sup.on('worker:spawn', ({ pid }) => pid !== undefined && rec.spawned.push(pid));
  sup.on('worker:ready', () => (everReady = true));
  sup.on('worker:exit', ({ workerId, pid, expected, reason }) => {
    if (pid !== undefined) rec.exited.add(pid);
    if (!expected) note(`worker ${workerId} (pid ${pid}) exited unexpectedly: ${firstLine(reason)}`);
  });
  sup.on('job:done', ({ jobId, name, ok }) => {
    rec.done.set(jobId, (rec.done.get(jobId) ?? 0) + 1);
    const byName = rec.doneByName.get(name) ?? { ok: 0, failed: 0 };
    if (ok) byName.ok++;
    else byName.failed++;
    rec.doneByName.set(name, byName);
  });
  sup.on('failed', (error) => {
    rec.failures.push(describeError(error));
    note(`POOL FAILED: ${describeError(error)}`);
    aborted = true;
  });

  const strikes: Array<Promise<void>> = [];
  const hit = new Set<number>();
  const stopped = new Set<number>();
  let reloading = false;
  let closing: Promise<void> | undefined;

  const submit = (spec: JobSpec) => {
    const job: JobRecord = { spec, at: now(), state: sup.state };
    rec.jobs.push(job);
    const settled = spec.kind === 'stream' ? readStream(job) : sup.run({ id: spec.id, ms: spec.ms }, { name: spec.kind, timeout: spec.timeout });
    settled.then(
      (value) => {
        job.settledAt = now();
        job.outcome = { ok: true, value };
      },
      (error: unknown) => {
        job.settledAt = now();
        job.outcome = { ok: false, error };
      },
    );
  };

  /** Runs a stream job (its id as input, STREAM_CHUNKS times; chunks back) and resolves with its id once the stream ends. */
  const readStream = async (job: JobRecord): Promise<unknown> => {
    const { spec } = job;
    job.chunks = [];
    const input = Array.from({ length: STREAM_CHUNKS }, () => spec.id);
    for await (const chunk of sup.stream({ id: spec.id, ms: spec.ms }, { name: 'stream', timeout: spec.timeout, input })) job.chunks.push(chunk);
    return { id: spec.id };
  };

  /** Finds a worker in the aimed-at phase (waiting up to ARM_MS for one), then SIGKILLs or SIGSTOPs it. */
  const strike = async (a: Extract<Action, { do: 'kill' | 'stop' }>) => {
    let victim: WorkerStats | undefined;
    const deadline = now() + ARM_MS;
    while (now() <= deadline && !aborted && sup.state !== 'closed') {
      const candidates = sup
        .workerStats()
        .filter((w) => w.pid !== undefined && w.state !== 'exited' && !hit.has(w.pid) && !stopped.has(w.pid) && (a.phase === 'any' || w.state === a.phase));
      if (candidates.length > 0) {
        victim = candidates[Math.floor(a.pick * candidates.length)];
        break;
      }
      await sleep(5);
    }
    if (!victim) {
      count(`${a.do}:missed`);
      note(`${a.do} aimed at a ${a.phase} worker: none found ${sup.state === 'closed' ? 'before the pool closed' : aborted ? 'before the pool failed' : `within ${ARM_MS} ms`}`);
      return;
    }
    if (a.delay > 0) await sleep(a.delay);
    const state = sup.workerStats().find((w) => w.pid === victim.pid)?.state;
    if (!state || state === 'exited') {
      count(`${a.do}:missed`);
      note(`${a.do} aimed at a ${a.phase} worker: worker ${victim.workerId} (pid ${victim.pid}) exited in the ${a.delay} ms before the signal`);
      return;
    }
    const pid = victim.pid!;
    const what = `worker ${victim.workerId} (pid ${pid}, aimed at ${a.phase}, was ${state}${everReady ? '' : ', no worker ever ready yet'})`;
    count(`${a.do}:${state}`);
    if (a.do === 'kill') {
      hit.add(pid);
      signal(pid, 'SIGKILL');
      note(`SIGKILL ${what}`);
      return;
    }
    stopped.add(pid);
    signal(pid, 'SIGSTOP');
    note(`SIGSTOP ${what} for ${a.ms} ms`);
    await sleep(a.ms);
    signal(pid, 'SIGCONT');
    stopped.delete(pid);
    note(`SIGCONT pid ${pid}`);
  };

  const reload = async (broken: boolean) => {
    const r: ReloadRecord = { broken, at: now() };
    rec.reloads.push(r);
    reloading = true;
    count(broken ? 'broken-reload' : 'reload');
    note(broken ? 'reload() with a module that fails to load' : 'reload()');
    try {
      await sup.reload();
      note(`reload() resolved (started +${r.at} ms)`);
    } catch (error) {
      r.error = error;
      note(`reload() rejected (started +${r.at} ms): ${describeError(error)}`);
    } finally {
      r.settledAt = now();
      reloading = false;
    }
  };

  /** A reload while the module cannot load; only from a settled pool, so the faults are not confounded. */
  const brokenReload = async () => {
    const settled = () => sup.stats().ready === rec.target && sup.stats().starting === 0;
    if (reloading || !(await waitFor(settled, 3000))) {
      count('broken-reload:skipped');
      note(`broken reload skipped: ${reloading ? 'a reload is in flight' : 'the pool did not settle'}`);
      return;
    }
    writeFileSync(brokenFile, '');
    try {
      await within(reload(true), 10_000);
    } finally {
      rmSync(brokenFile, { force: true });
    }
  };

  const startClose = () => {
    rec.closeCalledAt = now();
    count('close');
    note(`close() (${sup.stats().inFlight} in flight, ${sup.stats().queued} queued, ${reloading ? 'a reload in flight' : 'no reload'})`);
    return sup.close().then(
      () => note(`close() resolved after ${now() - rec.closeCalledAt!} ms`),
      (error: unknown) => {
        rec.closeError = error;
        note(`close() rejected: ${describeError(error)}`);
      },
    );
  };

  const execute = async (action: Action) => {
    switch (action.do) {
      case 'job':
        return submit(action.job);
      case 'kill':
      case 'stop':
        strikes.push(strike(action));
        return;
      case 'reload':
        if (reloading) note('reload skipped: one is in flight');
        else void reload(false);
        return;
      case 'broken-reload':
        return brokenReload();
      case 'resize':
        count('resize');
        note(`resize(${action.workers})`);
        rec.target = action.workers;
        sup.resize(action.workers);
        return;
      case 'close':
        closing ??= startClose();
        return;
    }
  };

  const play = async (steps: Step[]) => {
    const start = now();
    for (const step of steps) {
      if (aborted) return;
      const wait = start + step.at - now();
      if (wait > 0) await sleep(wait);
      await execute(step.action);
    }
  };

  try {
    // 1. the first boot, then the storm, timed from when the first workers are all ready
    await play(plan.boot);
    const up = await within(sup.ready(), RECOVERY_MS);
    if (!up) note(`the first ${plan.pool.workers} workers were not ready within ${RECOVERY_MS} ms`);
    note(`storm begins: ${JSON.stringify(sup.stats())}`);
    await play(plan.storm);
    await Promise.all(strikes);

    // 2. with the faults over, the pool must get back to its size
    if (!aborted) {
      const from = now();
      const back = await waitFor(() => aborted || (sup.state === 'running' && sup.stats().ready === rec.target), RECOVERY_MS, 25);
      if (!aborted) rec.recoveredIn = back ? now() - from : null;
      if (!back) note(`the pool did not get back to ${rec.target} ready workers: ${JSON.stringify(sup.stats())}`);
    }

    // 3. the finale: a last wave, close() at a random moment, faults aimed at closing workers
    await play(plan.finale);
    const closedInTime = await within((closing ??= startClose()), rec.closeCalledAt! + rec.closeBound - now());
    if (closedInTime) {
      rec.closeTook = now() - rec.closeCalledAt!;
      await waitFor(() => rec.jobs.every((j) => j.outcome), 1000);
    }
    for (const job of rec.jobs) if (!job.outcome) job.stranded = true;
    if (!closedInTime) {
      note(`close() did not resolve within ${rec.closeBound} ms; destroying the pool`);
      await within(sup.destroy(), 5000);
    }
    await Promise.all(strikes);

    // 4. nothing may be left running: workers, the children they spawned, and anything else carrying this run's environment
    rec.grandchildren = readPids(pidsFile);
    const left = () => new Set([...rec.spawned, ...rec.grandchildren].filter(alive).concat(marked(pidsFile)));
    await waitFor(() => left().size === 0, 2000);
    rec.leftover = [...left()].map((pid) => ({
      pid,
      what: rec.spawned.includes(pid) ? 'worker' : rec.grandchildren.includes(pid) ? 'grandchild' : 'unrecorded descendant',
    }));
  } finally {
    // whatever happened (a harness error included), leave nothing behind for the next run
    for (const pid of stopped) signal(pid, 'SIGCONT');
    if (sup.state !== 'closed') await within(sup.destroy(), 5000);
    for (const pid of marked(pidsFile)) signal(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rec.took = now();
  }
  return rec;
}

/** Whether `promise` settles within `ms`; the timer is cleared either way, so it keeps no process alive. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), false)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Live processes whose environment carries this run's FAULTY_PIDS path: its
 * workers and whatever they spawned, even a child whose pid never reached the
 * file (its worker was killed between spawn() and the write). Being marked
 * proves a pid is ours, so cleanup can kill these without fearing pid reuse.
 */
function marked(pidsFile: string): number[] {
  const needle = `FAULTY_PIDS=${pidsFile}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a non-error: ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  return `${error.name}${code === undefined ? ' (no code)' : ` ${String(code)}`}: ${firstLine(error.message)}`;
}

/** One pino JSON line as `level [worker] message: reason`, for the failure report. */
function summarizeLogLine(line: string): string {
  try {
    const r = JSON.parse(line) as { level?: number; msg?: string; workerId?: number; pid?: number; reason?: string; err?: { message?: string } };
    const level = r.level === undefined ? '?' : r.level >= 50 ? 'error' : 'warn';
    const who = r.workerId === undefined ? '' : ` [worker ${r.workerId} pid ${r.pid}]`;
    const why = r.reason ?? r.err?.message;
    return `${level}${who} ${r.msg ?? ''}${why ? `: ${firstLine(why)}` : ''}`;
  } catch {
    return firstLine(line);
  }
}
