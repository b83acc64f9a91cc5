// The exit policy on its own, with explicit clocks: how exits are classified, and what each means for the pool.
import { describe, expect, it } from 'vitest';
import { classifyExit, decideExit, EMPTY_HISTORY, type ExitCause, type ExitFacts, type ExitHistory } from '../../src/supervisor/exit-policy.js';

const facts = (over: Partial<ExitFacts>): ExitFacts => ({
  greeted: true,
  bootReported: false,
  order: undefined,
  killed: false,
  spawnError: undefined,
  exitCode: 1,
  signal: null,
  jobs: 0,
  reloadReplacement: false,
  ...over,
});
const options = { maxRestarts: 3, restartWindow: 1000, restartDelay: 10, maxRestartDelay: 80 };

/** Feeds causes through the policy at the given times; returns each decision. */
function run(steps: Array<[number, ExitCause]>, everReady = true, start: ExitHistory = EMPTY_HISTORY) {
  let history = start;
  return steps.map(([now, cause]) => {
    const out = decideExit(cause, history, { now, everReady }, options);
    history = out.history;
    return out.decision;
  });
}

describe('classifyExit', () => {
  it('names ordered stops, crashes, boot errors, outside kills while starting and spawn failures', () => {
    expect(classifyExit(facts({ order: 'recycle' }))).toEqual({ kind: 'ordered', order: 'recycle' });
    expect(classifyExit(facts({ order: 'cancel', jobs: 2 }))).toEqual({ kind: 'ordered', order: 'cancel' });
    expect(classifyExit(facts({ order: 'drain-deadline', jobs: 1 }))).toEqual({ kind: 'ordered', order: 'drain-deadline' });
    expect(classifyExit(facts({ order: 'close', greeted: false }))).toEqual({ kind: 'ordered', order: 'close' });
    expect(classifyExit(facts({ order: 'close', killed: true, signal: 'SIGKILL', exitCode: null }))).toEqual({ kind: 'ordered', order: 'close' });
    // told to drain, then killed by someone else: a crash like any other
    expect(classifyExit(facts({ order: 'reload', signal: 'SIGKILL', exitCode: null, jobs: 1 }))).toEqual({ kind: 'crash', jobs: 1 });
    expect(classifyExit(facts({ order: 'resize', greeted: false, signal: 'SIGKILL', exitCode: null }))).toEqual({ kind: 'killed-while-starting', signal: 'SIGKILL' });
    // a heartbeat kill is the job's when a job was running, the module's when none was
    expect(classifyExit(facts({ order: 'heartbeat', jobs: 1 }))).toEqual({ kind: 'ordered', order: 'heartbeat' });
    expect(classifyExit(facts({ order: 'heartbeat', jobs: 0 }))).toEqual({ kind: 'crash', jobs: 0 });
    expect(classifyExit(facts({ jobs: 3 }))).toEqual({ kind: 'crash', jobs: 3 });
    expect(classifyExit(facts({ greeted: false, bootReported: true, exitCode: 3 }))).toEqual({ kind: 'boot-error' });
    expect(classifyExit(facts({ greeted: false, exitCode: 1 }))).toEqual({ kind: 'boot-error' });
    expect(classifyExit(facts({ greeted: false, order: 'start-timeout', signal: 'SIGTERM', exitCode: null }))).toEqual({ kind: 'boot-error' });
    expect(classifyExit(facts({ greeted: false, signal: 'SIGKILL', exitCode: null }))).toEqual({ kind: 'killed-while-starting', signal: 'SIGKILL' });
    // a fault the process raised on itself while loading is the module's
    expect(classifyExit(facts({ greeted: false, signal: 'SIGSEGV', exitCode: null }))).toEqual({ kind: 'boot-error' });
    expect(classifyExit(facts({ greeted: false, reloadReplacement: true, bootReported: true }))).toEqual({ kind: 'reload-replacement-failed' });
    expect(classifyExit(facts({ greeted: false, spawnError: 'EMFILE', exitCode: null }))).toEqual({ kind: 'spawn-failed', code: 'EMFILE', transient: true });
    expect(classifyExit(facts({ greeted: false, spawnError: 'ENOENT', exitCode: null }))).toEqual({ kind: 'spawn-failed', code: 'ENOENT', transient: false });
  });
});

describe('decideExit', () => {
  it('never counts ordered stops, however many', () => {
    const steps = Array.from({ length: 50 }, (_, i): [number, ExitCause] => [i, { kind: 'ordered', order: 'cancel' }]);
    expect(run(steps).every((d) => d.action === 'restart' && d.delay === 0)).toBe(true);
  });

  it('charges crashes with jobs to the jobs: restarts at once, backs off past the intensity, never fails the pool', () => {
    const steps = Array.from({ length: 8 }, (_, i): [number, ExitCause] => [i * 10, { kind: 'crash', jobs: 1 }]);
    expect(run(steps)).toEqual([
      { action: 'restart', delay: 0 },
      { action: 'restart', delay: 0 },
      { action: 'restart', delay: 0 },
      { action: 'restart', delay: 10 },
      { action: 'restart', delay: 20 },
      { action: 'restart', delay: 40 },
      { action: 'restart', delay: 80 },
      { action: 'restart', delay: 80 },
    ]);
  });

  it('counts crashes with no job, with a doubling backoff, and fails past maxRestarts within the window', () => {
    const crash: ExitCause = { kind: 'crash', jobs: 0 };
    expect(run([[0, crash], [10, crash], [20, crash], [30, crash]])).toEqual([
      { action: 'restart', delay: 10 },
      { action: 'restart', delay: 20 },
      { action: 'restart', delay: 40 },
      { action: 'fail' },
    ]);
    // crashes older than the window are forgotten
    expect(run([[0, crash], [10, crash], [20, crash], [1500, crash]]).at(-1)).toMatchObject({ action: 'restart' });
  });

  it('treats an outside kill while starting as a crash to restart, even before any worker was ready', () => {
    const killed: ExitCause = { kind: 'killed-while-starting', signal: 'SIGKILL' };
    expect(run([[0, killed], [5, killed]], false)).toEqual([
      { action: 'restart', delay: 10 },
      { action: 'restart', delay: 20 },
    ]);
  });

  it('halts at once on a boot error or a hopeless spawn before any worker was ready, and counts them after', () => {
    expect(run([[0, { kind: 'boot-error' }]], false)).toEqual([{ action: 'fail' }]);
    expect(run([[0, { kind: 'spawn-failed', code: 'ENOENT', transient: false }]], false)).toEqual([{ action: 'fail' }]);
    expect(run([[0, { kind: 'boot-error' }]], true)).toEqual([{ action: 'restart', delay: 10 }]);
  });

  it('retries spawns that failed for want of resources forever, backing off, uncounted', () => {
    const emfile: ExitCause = { kind: 'spawn-failed', code: 'EMFILE', transient: true };
    const decisions = run(Array.from({ length: 20 }, (_, i): [number, ExitCause] => [i, emfile]), false);
    expect(decisions.every((d) => d.action === 'restart')).toBe(true);
    expect(decisions.at(-1)).toEqual({ action: 'restart', delay: 80 });
  });

  it('lets a failed reload replacement go uncounted: reload() itself gives up', () => {
    const steps = Array.from({ length: 10 }, (_, i): [number, ExitCause] => [i, { kind: 'reload-replacement-failed' }]);
    expect(run(steps).every((d) => d.action === 'restart' && d.delay === 0)).toBe(true);
  });

  it('starts the backoff over after a stable period', () => {
    const crash: ExitCause = { kind: 'crash', jobs: 0 };
    const decisions = run([[0, crash], [10, crash], [20, crash], [20 + 10_001, crash]]);
    expect(decisions.at(-1)).toEqual({ action: 'restart', delay: 10 });
  });
});
