// `supervise run <worker module>` at the edges of its input and output: huge lines, bytes that are not UTF-8, a full stdout or stderr.
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alive, cli, fixture, root, waitFor } from '../helpers.js';

const measureWorker = fileURLToPath(new URL('./fixtures/measure.ts', import.meta.url));
const MiB = 1024 * 1024;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Cli = ChildProcess & { output: () => Outcome; done: Promise<Outcome> };

function start(args: string[], stdio: StdioOptions = ['pipe', 'pipe', 'pipe']): Cli {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return Object.assign(child, { output, done });
}

/** Writes `total` bytes of `x` in 1 MiB pieces, waiting whenever the pipe is full, so the test itself stays small. */
async function writeFiller(stream: Writable, total: number): Promise<void> {
  const piece = Buffer.alloc(MiB, 'x');
  for (let left = total; left > 0; left -= piece.length) {
    if (!stream.write(left >= piece.length ? piece : piece.subarray(0, left))) await once(stream, 'drain');
  }
}

async function writeAndDrain(stream: Writable, data: string | Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

/** CPU time a process has used, user plus system, in seconds: the work it did, whatever else the machine is doing. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: clock ticks, 100 a second on Linux
}

/** Peak resident memory of a live process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** The worker processes of a CLI process. */
function workerPids(cliPid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(cliPid), '-f', 'worker/main.js'], { encoding: 'utf8' }).trim().split('\n').map(Number).sort();
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Records on stdout so far, parsed. */
function records(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits for the CLI to exit, killing it after `ms`: a CLI that hangs fails the test instead of timing it out. */
async function exited(child: Cli, ms: number): Promise<Outcome> {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  try {
    return await child.done;
  } finally {
    clearTimeout(timer);
  }
}

describe('long lines', () => {
  it('reads a 50 MB line in time linear in its size, and serves the next line', async () => {
    const child = start(['run', measureWorker, '--name', 'measure', '--workers', '1', '--log-level', 'warn']);
    try {
      const size = 50 * MiB;
      await writeAndDrain(child.stdin!, '"');
      await writeFiller(child.stdin!, size);
      await writeAndDrain(child.stdin!, 'tail"\n"next"\n');
      // the quadratic reader needed about 25 s of CPU for this line (32 MB took 9.9 s); a linear one needs about 1
      const answered = await waitFor(() => child.output().stdout.includes('"id":1,'), 40_000, 50);
      const cpu = cpuSeconds(child.pid!);
      expect(answered).toBe(true);
      expect(cpu).toBeLessThan(8);
      child.stdin!.end();
      const { code, stdout, stderr } = await exited(child, 20_000);
      expect(stderr).toMatch(/^supervise: 2 done, 0 failed in [\d.]+ s \([\d.,]+\/s\)\n$/);
      expect(code).toBe(0);
      expect(records(stdout)).toEqual([
        { id: 0, ok: true, result: { length: size + 4, tail: 'tail' } },
        { id: 1, ok: true, result: { length: 4, tail: 'next' } },
      ]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails a 300 MB line over --max-frame-size as soon as it passes the limit, skips the rest with flat memory, and serves the next line', async () => {
    const limit = 64 * 1024;
    const child = start(['run', measureWorker, '--name', 'measure', '--workers', '1', '--max-frame-size', String(limit), '--log-level', 'warn']);
    try {
      await writeAndDrain(child.stdin!, '"first"\n');
      expect(await waitFor(() => child.output().stdout.includes('"id":0,'), 20_000)).toBe(true);
      const peakBefore = peakRss(child.pid!);
      const started = Date.now();
      await writeAndDrain(child.stdin!, '"');
      await writeFiller(child.stdin!, MiB);
      // 1 MiB of a line 300 MiB long: past the limit, so its error is out while the rest of the line is still to come
      expect(await waitFor(() => child.output().stdout.includes('"id":1,'), 10_000)).toBe(true);
      await writeFiller(child.stdin!, 299 * MiB);
      await writeAndDrain(child.stdin!, '"\n"last"\n');
      expect(await waitFor(() => child.output().stdout.includes('"id":2,'), 60_000, 50)).toBe(true);
      const seconds = (Date.now() - started) / 1000;
      const peakAfter = peakRss(child.pid!);
      child.stdin!.end();
      const { code, stdout } = await exited(child, 20_000);
      console.log(`300 MiB line over a 64 KiB limit: ${seconds.toFixed(2)} s; CLI peak RSS ${(peakBefore / MiB).toFixed(1)} MiB before, ${(peakAfter / MiB).toFixed(1)} MiB after`);
      expect(code).toBe(1);
      expect(records(stdout)).toEqual([
        { id: 0, ok: true, result: { length: 5, tail: 'irst' } },
        {
          id: 1,
          ok: false,
          error: { name: 'PayloadError', message: expect.stringContaining(`Input line 2 is longer than maxFrameSize (${limit} bytes)`), code: 'ERR_PAYLOAD_TOO_LARGE' },
        },
        { id: 2, ok: true, result: { length: 4, tail: 'last' } },
      ]);
      expect(seconds).toBeLessThan(30);
      // The line is 300 MiB and the reader keeps none of it. What the peak grows by is the 64 KiB chunks read and
      // dropped before a GC frees them: V8 collects after about 32 MiB of such outside-the-heap memory.
      expect(peakAfter - peakBefore).toBeLessThan(64 * MiB);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('invalid UTF-8', () => {
  it('fails each line that is not UTF-8 alone with ERR_INVALID_UTF8; its neighbours, and characters split between writes, are served', async () => {
    const child = start(['run', 'workers/echo.ts', '--workers', '1', '--log-level', 'warn']);
    const emoji = Buffer.from('"é😀"\n');
    const lines = [
      Buffer.from('"a"\n'),
      Buffer.from([0x22, 0x61, 0xff, 0x22, 0x0a]), // "a\xff"
      emoji.subarray(0, 5), // the emoji's 4 bytes are cut after its first two
      emoji.subarray(5),
      Buffer.from([0x22, 0xc0, 0x80, 0x22, 0x0a]), // an overlong NUL
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22, 0x0a]), // a UTF-16 surrogate, encoded
      Buffer.from('"b"\n'),
    ];
    for (const piece of lines) {
      await writeAndDrain(child.stdin!, piece);
      await new Promise((resolve) => setTimeout(resolve, 20)); // separate reads, most likely
    }
    child.stdin!.end();
    const { code, stdout } = await exited(child, 20_000);
    const invalid = (line: number, offset: number) => ({
      name: 'TypeError',
      message: `Input line ${line} is not valid UTF-8 (a bad byte sequence starts at offset ${offset})`,
      code: 'ERR_INVALID_UTF8',
    });
    expect(records(stdout)).toEqual([
      { id: 0, ok: true, result: 'a' },
      { id: 1, ok: false, error: invalid(2, 2) },
      { id: 2, ok: true, result: 'é😀' },
      { id: 3, ok: false, error: invalid(4, 1) },
      { id: 4, ok: false, error: invalid(5, 1) },
      { id: 5, ok: true, result: 'b' },
    ]);
    expect(code).toBe(1);
  });
});

describe('a stdout that cannot be written', () => {
  it.each([
    // stdin stays open: the CLI must stop reading by itself; the jobs take long enough for both workers to be seen
    ['a worker module, stdin still open', [fixture('handlers.ts'), '--name', 'delayed'], '{"value":1,"ms":300}\n{"value":2,"ms":300}\n', 2],
    // the first write, the header line, fails; the workers may not be up yet
    ['a run file', ['examples/echo.ts'], undefined, undefined],
  ])('> /dev/full (%s): one line on stderr, exit 74, workers stopped', async (_what, args, input, seen) => {
    const full = openSync('/dev/full', 'w');
    const child = start(['run', ...args, '--workers', '2'], ['pipe', full, 'pipe']);
    closeSync(full);
    try {
      if (input) child.stdin!.write(input);
      else child.stdin!.end();
      let workers: number[] = [];
      await waitFor(() => child.exitCode !== null || (workers = workerPids(child.pid!)).length === 2, 10_000);
      const { code, stderr } = await exited(child, 20_000);
      if (seen !== undefined) expect(workers).toHaveLength(seen);
      // a run file's banner goes to stderr first; then the one line about stdout, and no summary
      expect(stderr.replace(/^supervise: 2 workers, each with its own channel.*\n/, '')).toBe('supervise: cannot write to stdout: ENOSPC: no space left on device, write\n');
      expect(code).toBe(74);
      expect(await waitFor(() => workers.every((pid) => !alive(pid)), 2000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--help > /dev/full: one line on stderr, exit 74', async () => {
    const full = openSync('/dev/full', 'w');
    const child = start(['--help'], ['ignore', full, 'pipe']);
    closeSync(full);
    const { code, stderr } = await exited(child, 10_000);
    expect(stderr).toBe('supervise: cannot write to stdout: ENOSPC: no space left on device, write\n');
    expect(code).toBe(74);
  });
});

describe('a stderr that cannot be written', () => {
  it('2> /dev/full: the results still come, and the CLI exits instead of retrying its log lines for ever', async () => {
    const full = openSync('/dev/full', 'w');
    const child = start(['run', 'workers/echo.ts', '--workers', '1'], ['pipe', 'pipe', full]);
    closeSync(full);
    child.stdin!.end('1\n');
    const { code, stdout } = await exited(child, 30_000);
    expect(stdout).toBe('{"id":0,"ok":true,"result":1}\n');
    expect(code).toBe(0);
  });
});
