/*
 * The fault schedule, drawn from a seed before anything runs: a pure function,
 * so a seed names a schedule exactly (the machine's timing still varies).
 * Choices that depend on the live pool (which worker to hit) are pre-drawn as
 * a number in [0, 1) and applied to whatever workers exist at that moment.
 *
 *   boot   ─ a few jobs, and sometimes a kill, while the first workers start
 *   storm  ─ jobs and faults for `stormMs`, timed from the moment the first
 *            workers are all ready (so a replay on a slower machine hits the
 *            same moments of the pool's life)
 *   (the pool must get back to its target size)
 *   finale ─ a last wave of jobs, maybe a reload, close() at a random moment,
 *            faults aimed at the workers that are closing
 */
import { chance, int, mulberry32, weighted, type Rng } from './rng.js';

export type JobKind = 'ok' | 'exit' | 'throws' | 'hang' | 'slow' | 'spin' | 'grandchild' | 'stream';

/** Chunks a `stream` job sends in and gets back. */
export const STREAM_CHUNKS = 4;
/** Which workers a kill or stop aims at; `any` is any live worker. */
export type Phase = 'starting' | 'ready' | 'draining' | 'any';
export type Profile = 'full' | 'baseline';

export interface JobSpec {
  /** Our own id, echoed back by the handler (not the supervisor's job id). */
  id: number;
  kind: JobKind;
  ms: number;
  timeout?: number;
}

export type Action =
  | { do: 'job'; job: JobSpec }
  | { do: 'kill'; phase: Phase; pick: number; delay: number }
  | { do: 'stop'; phase: Phase; pick: number; delay: number; ms: number }
  | { do: 'reload' }
  | { do: 'resize'; workers: number }
  | { do: 'broken-reload' }
  | { do: 'close' };

export interface Step {
  at: number;
  action: Action;
}

export interface Plan {
  seed: number;
  profile: Profile;
  pool: { workers: number; perWorker: number; maxJobsPerWorker?: number };
  boot: Step[];
  storm: Step[];
  finale: Step[];
}

/** Supervisor settings shared by every run; the invariants read `retries` and the bounds. */
export const SETTINGS = {
  retries: 2,
  killGrace: 300,
  heartbeatInterval: 250,
  heartbeatTimeout: 1500,
  drainTimeout: 1500,
  // quick replacements keep a run short, even when poison jobs take workers down again and again
  restartDelay: 50,
  maxRestartDelay: 400,
  // kills and stops are capped at MAX_CRASH_FAULTS per run (a stop can end in a heartbeat kill, a broken
  // reload costs a boot failure or two), so the faults we inject alone stay under this limit; exits caused
  // by poison jobs and timed-out jobs must not count towards it
  maxRestarts: 15,
} as const;
export const MAX_CRASH_FAULTS = 7;
export const STORM_MS = 2500;

/** Draws the whole schedule for `seed`. */
export function makePlan(seed: number, { profile = 'full' as Profile, stormMs = STORM_MS } = {}): Plan {
  const rng = mulberry32(seed);
  let nextId = 1;
  const job = (): Action => ({ do: 'job', job: drawJob(rng, nextId++) });
  const pool = { workers: int(rng, 2, 3), perWorker: int(rng, 1, 2), maxJobsPerWorker: chance(rng, 0.3) ? int(rng, 8, 30) : undefined };

  const boot: Step[] = [];
  for (let n = int(rng, 0, 5); n > 0; n--) boot.push({ at: 0, action: job() });
  let crashFaults = 0;
  // sometimes a kill while the first workers boot, before any worker was ever ready
  if (chance(rng, 0.25)) {
    boot.push({ at: 0, action: { do: 'kill', phase: 'starting', pick: rng(), delay: int(rng, 0, 60) } });
    crashFaults++;
  }

  const storm: Step[] = [];
  for (let t = int(rng, 0, 20); t < stormMs; t += int(rng, 4, 40)) storm.push({ at: t, action: job() });
  // at most one hung job per run: it holds a slot until its worker dies or the pool closes
  const hang = chance(rng, 0.4) ? { id: nextId++, kind: 'hang' as const, ms: 0, timeout: chance(rng, 0.5) ? int(rng, 200, 600) : undefined } : undefined;
  if (hang) storm.push({ at: int(rng, 0, stormMs), action: { do: 'job', job: hang } });
  let brokenReloads = 0;
  for (let n = int(rng, 3, 7); n > 0; n--) {
    const at = int(rng, 0, stormMs);
    let kind = weighted(rng, { kill: 4, stop: 2, reload: 2, resize: 1.5, 'broken-reload': 1 });
    if ((kind === 'kill' || kind === 'stop') && crashFaults >= MAX_CRASH_FAULTS - 2) kind = 'reload';
    if (kind === 'broken-reload' && brokenReloads++ > 0) kind = 'resize';
    if (kind === 'kill' || kind === 'stop') crashFaults++;
    // a hung job without a timeout on the only worker would stop all work until close, so keep two then
    const minSize = hang && hang.timeout === undefined ? 2 : 1;
    const fault = drawFault(rng, kind, minSize);
    // workers drain only briefly (a reload, a recycle, a resize down): start a reload to aim at
    if ('phase' in fault && fault.phase === 'draining') storm.push({ at: Math.max(0, at - 10), action: { do: 'reload' } });
    storm.push({ at, action: fault });
  }

  const finale: Step[] = [];
  const waveMs = int(rng, 0, 300);
  for (let t = 0; t <= waveMs; t += int(rng, 5, 40)) finale.push({ at: t, action: job() });
  if (chance(rng, 0.2)) finale.push({ at: int(rng, 0, waveMs), action: { do: 'job', job: { id: nextId++, kind: 'hang', ms: 0 } } });
  if (chance(rng, 0.3)) finale.push({ at: int(rng, 0, 300), action: { do: 'reload' } });
  const closeAt = int(rng, 0, 400);
  finale.push({ at: closeAt, action: { do: 'close' } });
  if (chance(rng, 0.5)) finale.push({ at: closeAt + int(rng, 0, 50), action: drawFault(rng, chance(rng, 0.7) ? 'kill' : 'stop', 1, 'draining') });
  if (chance(rng, 0.3)) finale.push({ at: int(rng, 0, closeAt + 100), action: drawFault(rng, 'kill', 1) });

  const byTime = (a: Step, b: Step) => a.at - b.at;
  const plan: Plan = { seed, profile, pool, boot, storm: storm.sort(byTime), finale: finale.sort(byTime) };
  return profile === 'baseline' ? baseline(plan) : plan;
}

function drawJob(rng: Rng, id: number): JobSpec {
  const kind = weighted(rng, { ok: 78, spin: 5, throws: 6, grandchild: 5, exit: 3, slow: 3, stream: 6 });
  const ms = int(rng, 0, 40);
  if (kind === 'slow') return { id, kind, ms: 3000, timeout: int(rng, 100, 400) };
  if (kind === 'spin') return { id, kind, ms: int(rng, 50, 400) };
  if (kind === 'stream') return { id, kind, ms: int(rng, 0, 10) };
  if (kind === 'ok' && chance(rng, 0.25)) return { id, kind, ms, timeout: int(rng, 400, 1200) };
  return { id, kind, ms };
}

function drawFault(rng: Rng, kind: 'kill' | 'stop' | 'reload' | 'resize' | 'broken-reload', minSize: number, phase?: Phase): Action {
  const aimed = phase ?? weighted(rng, { ready: 3, starting: 2, draining: 2, any: 1 });
  // a starting worker is hit a random moment after it is found, so some kills land just before its hello and some
  // just after; draining workers are gone within milliseconds, so they are hit at once
  const aim = { phase: aimed, pick: rng(), delay: aimed === 'starting' ? int(rng, 0, 60) : 0 };
  switch (kind) {
    case 'kill':
      return { do: 'kill', ...aim };
    case 'stop':
      // long stops outlast heartbeatTimeout and end in a heartbeat kill
      return { do: 'stop', ...aim, ms: int(rng, 50, 2500) };
    case 'resize':
      return { do: 'resize', workers: int(rng, minSize, 3) };
    default:
      return { do: kind };
  }
}

/**
 * The same timeline restricted to what the supervisor is known to survive:
 * `ok` jobs and SIGKILLs of ready workers. It validates the harness itself:
 * on a working supervisor a baseline run must pass.
 */
function baseline(plan: Plan): Plan {
  const keep = (steps: Step[], boot = false): Step[] =>
    steps.flatMap((step): Step[] => {
      const { action } = step;
      if (action.do === 'job') return [{ at: step.at, action: { do: 'job', job: { ...action.job, kind: 'ok', ms: Math.min(action.job.ms, 40), timeout: action.job.kind === 'ok' ? action.job.timeout : undefined } } }];
      if (action.do === 'kill' && !boot) return [{ at: step.at, action: { ...action, phase: 'ready' } }];
      return action.do === 'close' ? [step] : [];
    });
  return { ...plan, boot: keep(plan.boot, true), storm: keep(plan.storm), finale: keep(plan.finale) };
}
