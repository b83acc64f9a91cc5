// The restart policy on its own, with explicit clocks: backoff doubling and capping, its reset, and the intensity limit.
import { expect, it } from 'vitest';
import { RestartPolicy } from '../../src/supervisor/restart-policy.js';

it('doubles the delay per consecutive crash up to the cap', () => {
  const policy = new RestartPolicy({ maxRestarts: 100, restartWindow: 60_000, restartDelay: 100, maxRestartDelay: 1000 });
  const delays = [0, 1, 2, 3, 4, 5].map((i) => policy.recordCrash(1_000_000 + i * 10));
  expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
});

it('starts the backoff over after a stable period', () => {
  const policy = new RestartPolicy({ maxRestarts: 100, restartWindow: 60_000, restartDelay: 100, maxRestartDelay: 1000 });
  expect(policy.recordCrash(0)).toBe(100);
  expect(policy.recordCrash(50)).toBe(200);
  expect(policy.recordCrash(100)).toBe(400);
  // stable for well past the cap (and at least 10 s): back to the first delay
  expect(policy.recordCrash(100 + 10_001)).toBe(100);
});

it('gives up after more than maxRestarts within restartWindow, and forgets crashes older than the window', () => {
  const policy = new RestartPolicy({ maxRestarts: 3, restartWindow: 1000, restartDelay: 10, maxRestartDelay: 10 });
  expect(policy.recordCrash(0)).toBe(10);
  expect(policy.recordCrash(100)).toBe(10);
  expect(policy.recordCrash(200)).toBe(10);
  expect(policy.recordCrash(300)).toBeUndefined();
  const fresh = new RestartPolicy({ maxRestarts: 3, restartWindow: 1000, restartDelay: 10, maxRestartDelay: 10 });
  for (const t of [0, 100, 200]) fresh.recordCrash(t);
  // the first two crashes have left the window by t = 1150
  expect(fresh.recordCrash(1150)).toBe(10);
  expect(fresh.restarts).toBe(2);
});
