// The output budget in isolation: the token bucket, the gate that keeps or drops whole lines, and the raw stderr tail.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TailBuffer } from '../../src/supervisor/line-splitter.js';
import {
  describeDropped,
  OutputBudget,
  OutputGate,
  pipeWorkerOutput,
  type DroppedOutput,
  type OutputBudgetLimits,
} from '../../src/supervisor/worker-output.js';

const limits: OutputBudgetLimits = { bytesPerSecond: 1000, linesPerSecond: 10, burstBytes: 100, burstLines: 5 };

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function gate(budgetLimits = limits) {
  const time = clock();
  const budget = new OutputBudget(budgetLimits, time.now);
  const lines: string[] = [];
  let drops = 0;
  const g = new OutputGate(budget, { line: (line) => lines.push(line) }, 'stdout', () => drops++);
  return { g, budget, lines, time, drops: () => drops };
}

const buf = (text: string) => Buffer.from(text);

describe('OutputBudget', () => {
  it('starts with the burst, refills at the rate, and never holds more than the burst', () => {
    const time = clock();
    const budget = new OutputBudget(limits, time.now);
    expect([budget.bytes, budget.lines]).toEqual([100, 5]);
    budget.bytes = -50;
    budget.lines = 0;
    expect(budget.open).toBe(false);
    time.advance(100); // 100 bytes, 1 line
    budget.refill();
    expect([budget.bytes, budget.lines]).toEqual([50, 1]);
    expect(budget.open).toBe(true);
    time.advance(60_000);
    budget.refill();
    expect([budget.bytes, budget.lines]).toEqual([100, 5]);
  });

  it('ignores a clock that stands still or goes back', () => {
    const time = clock();
    const budget = new OutputBudget(limits, time.now);
    budget.bytes = 0;
    time.advance(-500);
    budget.refill();
    expect(budget.bytes).toBe(0);
    time.advance(510); // 10 ms after the last refill that counted
    budget.refill();
    expect(budget.bytes).toBe(10);
  });
});

describe('OutputGate', () => {
  it('passes output within budget through the line splitter, lines whole across chunks', () => {
    const { g, lines, budget, drops } = gate();
    g.push(buf('one\ntw'));
    g.push(buf('o\r\nthree'));
    g.end();
    expect(lines).toEqual(['one', 'two', 'three']);
    expect([g.droppedLines, g.droppedBytes, drops()]).toEqual([0, 0, 0]);
    expect(budget.lines).toBe(2);
    expect(budget.bytes).toBe(100 - 14);
  });

  it('drops whole lines over budget and counts their lines and bytes exactly', () => {
    const { g, lines } = gate();
    // 10 lines of 9 bytes: the burst is 5 lines, so 5 are kept and 5 dropped
    const text = Array.from({ length: 10 }, (_, i) => `line ${String(i).padStart(3, '0')}\n`).join('');
    g.push(buf(text));
    expect(lines).toEqual(['line 000', 'line 001', 'line 002', 'line 003', 'line 004']);
    expect([g.droppedLines, g.droppedBytes]).toEqual([5, 45]);
    expect(g.takeDropped()).toEqual({ lines: 5, bytes: 45 });
    expect([g.droppedLines, g.droppedBytes]).toEqual([0, 0]);
  });

  it('runs out of bytes before lines: the line that starts within budget is kept whole, then the debt is paid back', () => {
    const { g, lines, budget, time } = gate();
    g.push(buf(`${'a'.repeat(79)}\n${'b'.repeat(39)}\nccc\n`));
    // 80 bytes fit; the 40-byte line starts with 20 left and is kept whole; 'ccc' is dropped
    expect(lines).toEqual(['a'.repeat(79), 'b'.repeat(39)]);
    expect(budget.bytes).toBe(-20);
    expect([g.droppedLines, g.droppedBytes]).toEqual([1, 4]);
    time.advance(20); // +20 bytes: back to 0, still closed
    g.push(buf('d\n'));
    expect(lines).toHaveLength(2);
    time.advance(1); // +1 byte, +0.01 line
    g.push(buf('e\n'));
    expect(lines).toEqual(['a'.repeat(79), 'b'.repeat(39), 'e']);
  });

  it('drops the rest of a line that began over budget, even when the budget is back by its end', () => {
    const { g, lines, time, drops } = gate({ ...limits, burstLines: 1 });
    g.push(buf('kept\ndropped, and its'));
    expect(lines).toEqual(['kept']);
    time.advance(10_000);
    g.push(buf(' end\nnext\n'));
    expect(lines).toEqual(['kept', 'next']);
    expect([g.droppedLines, g.droppedBytes]).toEqual([1, 'dropped, and its end\n'.length]);
    expect(drops()).toBe(2);
  });

  it('does not count the rest of a logged line as a dropped line, however many chunks it spans', () => {
    const { g, lines } = gate({ ...limits, burstBytes: 10 });
    g.push(buf('0123456789abc'));
    g.push(buf('def'));
    g.push(buf('ghi\nx\ny'));
    g.end();
    expect(lines).toEqual(['0123456789abc']);
    expect([g.droppedLines, g.droppedBytes]).toEqual([2, 10]);
  });

  it('counts a chunk with no newline at all while dropping, and the unfinished dropped line at the end', () => {
    const { g, lines } = gate({ ...limits, burstLines: 1 });
    g.push(buf('kept\nxx'));
    g.push(buf('x'.repeat(1000)));
    g.end();
    expect(lines).toEqual(['kept']);
    expect([g.droppedLines, g.droppedBytes]).toEqual([1, 1002]);
  });

  it('logs the start of a kept line whose end arrives over budget, and drops the rest', () => {
    const { g, lines } = gate({ ...limits, burstBytes: 10 });
    g.push(buf('0123456789abc')); // starts within budget: kept, and the splitter waits for its end
    expect(lines).toEqual([]);
    g.push(buf('def\nnext\n')); // the budget is spent: the start is logged alone, 'def' and 'next' dropped
    expect(lines).toEqual(['0123456789abc']);
    // 'def' is the rest of a logged line: dropped bytes, not a dropped line
    expect([g.droppedLines, g.droppedBytes]).toEqual([1, 9]);
  });

  it('drops a flood of megabytes with exact counts, keeping what the burst allows', () => {
    const { g, lines } = gate();
    const line = 'x'.repeat(99) + '\n';
    const chunk = buf(line.repeat(655));
    for (let i = 0; i < 100; i++) g.push(chunk);
    expect(lines).toHaveLength(1); // the 100-byte burst holds one line
    expect(g.droppedLines).toBe(655 * 100 - 1);
    expect(g.droppedBytes).toBe(chunk.length * 100 - 100);
  });
});

describe('pipeWorkerOutput', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports dropped output once per interval and once more when a stream ends, and feeds every stderr byte to the tail', async () => {
    vi.useFakeTimers();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const logged: Array<[string, string]> = [];
    const dropped: DroppedOutput[] = [];
    const tail = new TailBuffer();
    pipeWorkerOutput(stdout, stderr, { line: (line, stream) => logged.push([stream, line]), dropped: (d) => dropped.push(d) }, {
      tail,
      budget: { ...limits, bytesPerSecond: 0, linesPerSecond: 0, burstLines: 2 },
      reportInterval: 1000,
    });
    stdout.write('a\nb\nc\nd\n');
    stderr.write('e\nf\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(logged).toEqual([
      ['stdout', 'a'],
      ['stdout', 'b'],
    ]);
    expect(dropped).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(dropped).toEqual([
      { stream: 'stdout', lines: 2, bytes: 4 },
      { stream: 'stderr', lines: 2, bytes: 4 },
    ]);
    stderr.end('last words\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(dropped.at(-1)).toEqual({ stream: 'stderr', lines: 1, bytes: 11 });
    expect(tail.toString()).toBe('e\nf\nlast words');
    stdout.end();
    await vi.advanceTimersByTimeAsync(5000);
    expect(dropped).toHaveLength(3);
  });

  it('describes a drop in words', () => {
    expect(describeDropped({ stream: 'stdout', lines: 12_345, bytes: 3_200_000 }, 3)).toBe('dropped 12,345 lines (3.2 MB) of stdout from worker 3');
    expect(describeDropped({ stream: 'stderr', lines: 1, bytes: 20 }, 1)).toBe('dropped 1 line (20 B) of stderr from worker 1');
  });
});

describe('TailBuffer', () => {
  it('keeps the last lines of the raw bytes, without the cut first line', () => {
    const tail = new TailBuffer(3, 16);
    expect(tail.toString()).toBe('');
    tail.push(buf('first line\r\nsec'));
    tail.push(buf('ond\n'));
    expect(tail.toString()).toBe('second');
    tail.push(buf('3\n4\n5\n6'));
    expect(tail.toString()).toBe('4\n5\n6');
    tail.push(buf('0123456789abcdefXYZ\nend\n'));
    expect(tail.toString()).toBe('end');
  });

  it('keeps the first line of the window when the cut fell on a line boundary', () => {
    const tail = new TailBuffer(30, 8);
    tail.push(buf('abcd\n'));
    tail.push(buf('efg\nhij\n')); // 13 bytes: the window is 'efg\nhij\n', preceded by a newline
    expect(tail.toString()).toBe('efg\nhij');
  });

  it('holds multi-byte characters intact', () => {
    const tail = new TailBuffer();
    const text = 'déjà vu 🎉\n';
    const bytes = buf(text);
    for (const byte of bytes) tail.push(Buffer.from([byte]));
    expect(tail.toString()).toBe('déjà vu 🎉');
  });
});
