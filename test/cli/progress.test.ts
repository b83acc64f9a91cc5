// The TTY progress line: done/total or done, rate and failures; nothing at all when stderr is not a TTY.
import { expect, it } from 'vitest';
import { startProgress } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream, writes };
}

it('shows done/total, rate and failures on a TTY, and clears the line at the end', async () => {
  const { stream, writes } = fakeStream(true);
  const progress = startProgress(stream, 10);
  for (let i = 0; i < 7; i++) progress.tick(i !== 3);
  await new Promise((resolve) => setTimeout(resolve, 300));
  progress.stop();
  const shown = writes.find((w) => w.includes('done'));
  expect(shown).toMatch(/^\r\x1b\[2K7\/10 done · \d+\/s · 1 failed$/);
  expect(writes.at(-1)).toBe('\r\x1b[2K');
});

it('shows a plain count when the total is unknown', async () => {
  const { stream, writes } = fakeStream(true);
  const progress = startProgress(stream, undefined);
  progress.tick(true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  progress.stop();
  expect(writes.some((w) => /1 done · \d+\/s · 0 failed/.test(w))).toBe(true);
});

it('writes nothing when stderr is not a TTY', async () => {
  const { stream, writes } = fakeStream(false);
  const progress = startProgress(stream, 3);
  progress.tick(true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  progress.stop();
  expect(writes).toEqual([]);
});
