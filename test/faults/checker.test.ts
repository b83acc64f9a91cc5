// The fault suite's own parts, without processes: plans are reproducible and cover what they should, and every invariant can fail.
import { JobTimeoutError, SupervisorClosedError, WorkerCrashError } from 'supervise';
import { describe, expect, it } from 'vitest';
import { checkRun, type Rule } from './invariants.js';
import { makePlan, type JobKind, type JobSpec } from './plan.js';
import type { JobRecord, RunRecord } from './scheduler.js';
import { BASELINE_SEEDS, SEEDS } from './seeds.js';

describe('plans', () => {
  it('are a function of the seed', () => {
    expect(makePlan(42)).toEqual(makePlan(42));
    expect(makePlan(42)).not.toEqual(makePlan(43));
  });

  it('of the suite’s seeds cover every job kind, fault and phase, a kill at first boot, and a close during a reload', () => {
    const plans = SEEDS.map((seed) => makePlan(seed));
    const steps = plans.flatMap((p) => [...p.boot, ...p.storm, ...p.finale]);
    const seen = new Set<string>();
    for (const { action } of steps) {
      if (action.do === 'job') seen.add(`job:${action.job.kind}`);
      else seen.add('phase' in action ? `${action.do}:${action.phase}` : action.do);
    }
    const want = [
      ...(['ok', 'exit', 'throws', 'hang', 'slow', 'spin', 'grandchild'] as JobKind[]).map((k) => `job:${k}`),
      ...['starting', 'ready', 'draining', 'any'].map((p) => `kill:${p}`),
      'stop:ready',
      'reload',
      'resize',
      'broken-reload',
      'close',
    ];
    expect(want.filter((w) => !seen.has(w))).toEqual([]);
    expect(plans.some((p) => p.boot.some((s) => s.action.do === 'kill'))).toBe(true);
    expect(plans.some((p) => p.pool.maxJobsPerWorker !== undefined)).toBe(true);
    const closeDuringReload = plans.some((p) => {
      const reloadAt = p.finale.find((s) => s.action.do === 'reload')?.at;
      const closeAt = p.finale.find((s) => s.action.do === 'close')!.at;
      return reloadAt !== undefined && reloadAt <= closeAt;
    });
    expect(closeDuringReload).toBe(true);
  });

  it('in the baseline profile hold only ok jobs and kills of ready workers', () => {
    for (const seed of BASELINE_SEEDS) {
      const plan = makePlan(seed, { profile: 'baseline' });
      for (const { action } of [...plan.boot, ...plan.storm, ...plan.finale]) {
        if (action.do === 'job') expect(action.job.kind).toBe('ok');
        else if (action.do === 'kill') expect(action.phase).toBe('ready');
        else expect(action.do).toBe('close');
      }
    }
  });
});

describe('the invariants', () => {
  const spec = (id: number, kind: JobKind, extra: Partial<JobSpec> = {}): JobSpec => ({ id, kind, ms: 0, ...extra });
  const resolved = (s: JobSpec, value: unknown, at = 10): JobRecord => ({ spec: s, at, state: 'running', settledAt: at + 5, outcome: { ok: true, value } });
  const rejected = (s: JobSpec, error: unknown, settledAt = 20, at = 10): JobRecord => ({ spec: s, at, state: 'running', settledAt, outcome: { ok: false, error } });
  const crash = (pid: number, attempts = 3) => new WorkerCrashError({ jobId: 1, attempts, pid, exitCode: 0, signal: null, stderrTail: '' });

  /** A run that broke nothing; each test below spoils one thing in it. */
  function cleanRun(): RunRecord {
    const jobs = [
      resolved(spec(1, 'ok'), { id: 1, pid: 100 }),
      rejected(spec(2, 'throws'), Object.assign(new Error('boom'), { code: 'E_FAULTY' })),
      rejected(spec(3, 'exit'), crash(100)),
      rejected(spec(4, 'slow', { timeout: 100 }), new JobTimeoutError(4, 100), 120),
      rejected(spec(5, 'hang'), new SupervisorClosedError(), 600),
      { spec: spec(6, 'ok'), at: 550, state: 'draining', settledAt: 550, outcome: { ok: false, error: new SupervisorClosedError() } },
      { ...resolved(spec(7, 'stream'), { id: 7 }), chunks: [0, 1, 2, 3].map((seq) => ({ id: 7, seq })) },
      { ...rejected(spec(8, 'stream'), crash(101, 1)), chunks: [{ id: 8, seq: 0 }] },
    ] satisfies JobRecord[];
    return {
      plan: makePlan(1),
      jobs,
      reloads: [{ broken: true, at: 50, settledAt: 80, error: Object.assign(new Error('no'), { code: 'ERR_WORKER_BOOT' }) }],
      spawned: [100, 101],
      exited: new Set([100, 101]),
      done: new Map([1, 2, 3, 4, 5, 7, 8].map((id) => [id, 1])),
      doneByName: new Map([
        ['ok', { ok: 1, failed: 0 }],
        ['throws', { ok: 0, failed: 1 }],
        ['exit', { ok: 0, failed: 1 }],
        ['slow', { ok: 0, failed: 1 }],
        ['hang', { ok: 0, failed: 1 }],
        ['stream', { ok: 1, failed: 1 }],
      ]),
      failures: [],
      target: 2,
      recoveredIn: 300,
      closeCalledAt: 500,
      closeTook: 200,
      closeBound: 11_800,
      grandchildren: [],
      leftover: [],
      faults: new Map(),
      log: [],
      supervisorLog: [],
      took: 800,
    };
  }
  const rules = (r: RunRecord): Rule[] => checkRun(r).map((v) => v.rule);

  it('accept a run in which every outcome is one the faults allow', () => {
    expect(checkRun(cleanRun())).toEqual([]);
  });

  it.each<[string, (r: RunRecord) => void, Rule]>([
    ['an ok job answered with another job’s result', (r) => (r.jobs[0].outcome = { ok: true, value: { id: 7 } }), 'wrong'],
    ['a job rejected with a plain Error', (r) => (r.jobs[0].outcome = { ok: false, error: new Error('?') }), 'wrong'],
    ['a crash report naming a worker that never exited', (r) => (r.jobs[2].outcome = { ok: false, error: crash(999) }), 'wrong'],
    ['a crash report after more attempts than retries allow', (r) => (r.jobs[2].outcome = { ok: false, error: crash(100, 4) }), 'wrong'],
    ['a timeout for a job without one', (r) => (r.jobs[0].outcome = { ok: false, error: new JobTimeoutError(1, 100) }), 'wrong'],
    ['a timeout before the timeout', (r) => (r.jobs[3].settledAt = 50), 'wrong'],
    ['ERR_SUPERVISOR_CLOSED before close()', (r) => (r.jobs[4].settledAt = 400), 'wrong'],
    ['a throws job that resolved', (r) => (r.jobs[1].outcome = { ok: true, value: { id: 2 } }), 'wrong'],
    ['a job accepted after close()', (r) => (r.jobs[5].outcome = { ok: true, value: { id: 6 } }), 'wrong'],
    ['a job that never settled', (r) => (delete r.jobs[0].outcome, delete r.jobs[0].settledAt), 'lost'],
    ['a job still pending when close() was done', (r) => (r.jobs[0].stranded = true), 'lost'],
    ['job:done twice for one job', (r) => r.done.set(1, 2), 'doubled'],
    ['job:done disagreeing with the promises', (r) => (r.doneByName.get('ok')!.ok = 2), 'job:done'],
    ['a pool failure', (r) => r.failures.push('CrashLoopError ERR_CRASH_LOOP'), 'pool failed'],
    ['a pool that did not get back to size', (r) => (r.recoveredIn = null), 'recovery'],
    ['a close() that did not resolve in time', (r) => (r.closeTook = null), 'close'],
    ['a process left behind', (r) => r.leftover.push({ pid: 5, what: 'grandchild' }), 'leftover'],
    ['a reload rejected without a code', (r) => (r.reloads[0].error = new Error('no code')), 'reload'],
    ['a broken reload that resolved', (r) => delete r.reloads[0].error, 'reload'],
    ['a reload that never settled', (r) => delete r.reloads[0].settledAt, 'reload'],
    ['a stream chunk delivered twice', (r) => r.jobs[6].chunks!.splice(1, 0, { id: 7, seq: 0 }), 'wrong'],
    ['a stream chunk of another job', (r) => ((r.jobs[7].chunks![0] as { id: number }).id = 3), 'wrong'],
    ['a stream that resolved short of its chunks', (r) => r.jobs[6].chunks!.pop(), 'wrong'],
  ])('catch %s', (_, spoil, rule) => {
    const run = cleanRun();
    spoil(run);
    // changing an outcome by hand also puts job:done out of step with it; that is fine here
    expect(rules(run)).toContain(rule);
  });
});
