// `supervise run` end to end: the built CLI, real workers, real stdin/stdout.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alive, cli, fixture, root, waitFor } from '../helpers.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): ChildProcess & { output: () => Outcome; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return Object.assign(child, { output, done });
}

/** The worker processes of a CLI process. */
function workerPids(cliPid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(cliPid), '-f', 'worker/main.js'], { encoding: 'utf8' }).trim().split('\n').map(Number).sort();
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** CPU time a process has used, user plus system, in seconds (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: clock ticks, 100 a second on Linux
  } catch {
    return 0;
  }
}

function run(args: string[], input?: string): Promise<Outcome> {
  const child = start(args);
  child.stdin!.end(input ?? '');
  return child.done;
}

describe('supervise run <run file>', () => {
  it('runs examples/echo.ts: each payload sent and echoed, with the serving pid and how the channel was made', async () => {
    const { code, stdout, stderr } = await run(['run', 'examples/echo.ts']);
    expect(code).toBe(0);
    // the banner and the summary go to stderr, the results alone to stdout
    expect(stderr).toMatch(/^supervise: 2 workers, each with its own channel: fd 3, an anonymous AF_UNIX stream socketpair \(no path in the filesystem\)\nsupervise: 4 done, 0 failed in [\d.]+ s \([\d.,]+\/s\)\n$/);
    expect(stdout).toContain("Send: 'Hello, world!'\nEcho: 'Hello, world!'  (worker pid ");
    expect(stdout).toContain("Send: 'My name is Tom!'\nEcho: 'My name is Tom!'  (worker pid ");
    expect(stdout).toContain('Echo: Uint8Array(4) [ 0, 1, 254, 255 ]');
    expect(stdout.match(/^Echo: /gm)).toHaveLength(4);
    expect(stdout.match(/\(worker pid \d+\)/g)).toHaveLength(4);
  });

  it('prints NDJSON with --json', async () => {
    const { code, stdout } = await run(['run', 'examples/echo.ts', '--json', '--workers', '1']);
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.id)).toEqual([0, 1, 2, 3]);
    expect(records[0]).toEqual({ id: 0, ok: true, result: 'Hello, world!' });
    expect(records[3].result).toEqual({ $bytes: Buffer.from([0, 1, 254, 255]).toString('base64') });
  });
});

describe('supervise run <worker module> (NDJSON on stdin)', () => {
  it('answers each line in input order; a bad line fails alone', async () => {
    const input = ['{"value":"slow","ms":60}', '"fast"', 'not json', '[1,2]', ''].join('\n');
    const { code, stdout } = await run(['run', fixture('handlers.ts'), '--workers', '2'], input);
    // the echo default handler; line 1 is an object echoed back
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toEqual([
      { id: 0, ok: true, result: { value: 'slow', ms: 60 } },
      { id: 1, ok: true, result: 'fast' },
      { id: 2, ok: false, error: { name: 'SyntaxError', message: expect.stringContaining('Input line 3 is not valid JSON'), code: 'ERR_INVALID_JSON' } },
      { id: 3, ok: true, result: [1, 2] },
    ]);
    expect(code).toBe(1);
  });

  it('calls a named handler with --name and reports handler errors with their code', async () => {
    const { code, stdout } = await run(['run', fixture('handlers.ts'), '--name', 'fail', '--workers', '1'], '"boom"\n');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ id: 0, ok: false, error: { name: 'RangeError', message: 'boom', code: 'E_TEST_FAIL' } });
  });

  it('streams 20,000 lines through with every id answered once and in order', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i })).join('\n');
    const { code, stdout } = await run(['run', 'workers/echo.ts', '--workers', '2', '--per-worker', '16'], lines);
    expect(code).toBe(0);
    const records = stdout.trim().split('\n');
    expect(records).toHaveLength(20_000);
    records.forEach((line, i) => expect(line).toBe(`{"id":${i},"ok":true,"result":{"i":${i}}}`));
  });

  it('on SIGTERM stops reading, finishes in-flight jobs, prints them and exits', async () => {
    const child = start(['run', fixture('handlers.ts'), '--name', 'delayed', '--workers', '2']);
    for (let i = 0; i < 6; i++) child.stdin!.write(`${JSON.stringify({ value: i, ms: 400 })}\n`);
    // stdin stays open: the run would wait for more input forever without the signal
    await waitFor(() => child.output().stdout.includes('"id":0'), 10_000);
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await child.done;
    expect(code).toBe(143);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThanOrEqual(2);
    records.forEach((r, i) => expect(r).toEqual({ id: i, ok: true, result: i }));
    expect(stderr).toContain('SIGTERM');
  });
});

describe('errors and flags', () => {
  it.each([
    [['run', 'no/such/file.ts'], 'supervise: no such file: no/such/file.ts'],
    [['run', 'package.json'], 'is not a JavaScript or TypeScript module'],
    [['run', 'workers/echo.ts', '--workers', '0'], '--workers expects an integer from 1 and up'],
    [['run', 'workers/echo.ts', '--wat'], 'unknown option --wat'],
    [['walk'], "unknown command 'walk'"],
    [['run'], 'needs a file'],
  ])('%j exits 2 with a one-line message and no stack trace', async (args, message) => {
    const { code, stderr, stdout } = await run(args as string[]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 with the module error when the worker module does not load', async () => {
    const { code, stderr } = await run(['run', fixture('boot-throws.ts'), '--log-level', 'silent'], '1\n2\n');
    expect(code).toBe(3);
    expect(stderr).toContain('failed to boot');
    expect(stderr).toContain('the database URL is not set');
  });

  it('prints help and version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: supervise run <file>');
    expect(help.stdout).toContain('Exit codes:');
    const version = await run(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('a second signal', () => {
  it('exits at once, killing workers stuck in their jobs', async () => {
    const child = start(['run', fixture('handlers.ts'), '--name', 'spin', '--workers', '2', '--log-level', 'warn']);
    child.stdin!.write('null\nnull\n');
    // both jobs are stuck once both workers have burned 0.5 s of CPU: starting takes about 0.1 s, an idle worker none
    let workers: number[] = [];
    const stuck = () => {
      workers = workerPids(child.pid!);
      return workers.length === 2 && workers.every((pid) => cpuSeconds(pid) >= 0.5);
    };
    expect(await waitFor(stuck, 10_000)).toBe(true);
    child.kill('SIGTERM');
    // the first signal is handled: no more input, and the CLI waits for the (stuck) jobs, its workers still there
    expect(await waitFor(() => child.output().stderr.includes('SIGTERM: no more input; finishing in-flight jobs'), 5000)).toBe(true);
    expect(child.exitCode).toBeNull();
    expect(workerPids(child.pid!)).toEqual(workers);
    const started = Date.now();
    child.kill('SIGTERM');
    const { code } = await child.done;
    expect(code).toBe(143);
    expect(Date.now() - started).toBeLessThan(3000);
    // the stuck workers cannot notice their channel closing: they were killed
    expect(await waitFor(() => workers.every((pid) => !alive(pid)), 2000)).toBe(true);
  });
});
