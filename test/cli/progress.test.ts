// The TTY progress line: done/total or done, rate and failures; nothing at all when stderr is not a TTY.
// Fake timers drive the line's own 250 ms timer (and Date): what is shown when is exact, not guessed with sleeps.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { startProgress } from '../../src/cli/progress.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream, writes };
}

it('shows done/total, rate and failures on a TTY, and clears the line at the end', () => {
  const { stream, writes } = fakeStream(true);
  const progress = startProgress(stream, 10);
  for (let i = 0; i < 7; i++) progress.tick(i !== 3);
  expect(writes).toEqual([]);
  vi.advanceTimersByTime(250);
  // 7 done in 0.25 s: 28/s
  expect(writes).toEqual(['\r\x1b[2K7/10 done · 28/s · 1 failed']);
  progress.stop();
  expect(writes.at(-1)).toBe('\r\x1b[2K');
  // stopped: the timer is gone
  vi.advanceTimersByTime(1000);
  expect(writes).toHaveLength(2);
});

it('shows a plain count when the total is unknown', () => {
  const { stream, writes } = fakeStream(true);
  const progress = startProgress(stream, undefined);
  progress.tick(true);
  vi.advanceTimersByTime(500);
  progress.stop();
  expect(writes.filter((w) => w.includes('done'))).toEqual(['\r\x1b[2K1 done · 4/s · 0 failed', '\r\x1b[2K1 done · 2/s · 0 failed']);
});

it('writes nothing when stderr is not a TTY', () => {
  const { stream, writes } = fakeStream(false);
  const progress = startProgress(stream, 3);
  progress.tick(true);
  vi.advanceTimersByTime(10_000);
  progress.stop();
  expect(writes).toEqual([]);
});
