// Supervision through `supervise run`: flags, run-file options and operational signals.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli, fixture, root, waitFor } from '../helpers.js';

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done, stdout: () => stdout };
}

async function run(args: string[], input: string) {
  const started = start(args);
  started.child.stdin.end(input);
  return started.done;
}

const records = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
const hostile = fixture('hostile.ts');

it('exits 3 with the crash-loop message when workers keep dying on their own', async () => {
  const started = start(['run', fixture('dies-idle.ts'), '--workers', '1', '--max-restarts', '2', '--restart-delay', '10', '--log-level', 'silent']);
  // stdin stays open: the jobs are not what kills the workers
  const { code, stderr } = await started.done;
  expect(code).toBe(3);
  expect(stderr).toMatch(/supervise: Workers are crash-looping: 3 restarts within 60000 ms; last worker exited with exit code 13/);
  expect(stderr).toContain('dies-idle: giving up');
});

it('applies --timeout and --kill-grace: the stuck job fails with ERR_JOB_TIMEOUT, the next line still runs', async () => {
  const { code, stdout } = await run(['run', hostile, '--workers', '1', '--timeout', '300', '--kill-grace', '100', '--log-level', 'silent', '--name', 'spin'], 'null\n');
  expect(code).toBe(1);
  expect(records(stdout)).toEqual([{ id: 0, ok: false, error: { name: 'JobTimeoutError', message: 'Job 1 timed out after 300 ms', code: 'ERR_JOB_TIMEOUT' } }]);
});

it('applies --retries: with 0 a crash fails the job; by default it is retried', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-cli-'));
  const line = (name: string) => `${JSON.stringify({ marker: path.join(dir, name) })}\n`;
  const none = await run(['run', hostile, '--name', 'crashOnce', '--retries', '0', '--restart-delay', '10', '--log-level', 'silent'], line('a'));
  expect(records(none.stdout)[0]).toMatchObject({ ok: false, error: { name: 'WorkerCrashError', code: 'ERR_WORKER_CRASHED' } });
  expect(none.code).toBe(1);
  const retried = await run(['run', hostile, '--name', 'crashOnce', '--restart-delay', '10', '--log-level', 'silent'], line('b'));
  expect(records(retried.stdout)[0]).toMatchObject({ ok: true });
  expect(retried.code).toBe(0);
});

it('takes supervision options from the run file: maxJobsPerWorker recycles workers', async () => {
  const { code, stdout } = await run(['run', fixture('recycle-run.ts'), '--json', '--log-level', 'silent'], '');
  expect(code).toBe(0);
  const pids = records(stdout).map((r) => r.result as number);
  expect(pids).toHaveLength(20);
  // a recycled worker serves until its replacement is ready, so how many workers served depends on start-up time
  expect(new Set(pids).size).toBeGreaterThanOrEqual(2);
});

it('reloads its workers on SIGHUP without failing a job', async () => {
  const run = start(['run', hostile, '--name', 'pid', '--workers', '2', '--log-level', 'info']);
  let sent = 5;
  for (let i = 0; i < sent; i++) run.child.stdin.write('null\n');
  expect(await waitFor(() => records(run.stdout()).length === sent, 10_000)).toBe(true);
  const before = new Set(records(run.stdout()).map((r) => r.result));
  run.child.kill('SIGHUP');
  expect(
    await waitFor(async () => {
      // one line at a time, each waited for by its answer (output is in input order), until a new worker answers one
      run.child.stdin.write('null\n');
      sent++;
      if (!(await waitFor(() => records(run.stdout()).length === sent, 10_000))) return false;
      return !before.has(records(run.stdout()).at(-1).result);
    }, 15_000),
  ).toBe(true);
  run.child.stdin.end();
  const { code, stdout, stderr } = await run.done;
  expect(stderr).toContain('SIGHUP: reloading workers');
  expect(code).toBe(0);
  const all = records(stdout);
  expect(all.every((r) => r.ok)).toBe(true);
  expect(before.has(all.at(-1)!.result)).toBe(false);
});

it('a Ctrl-C to the whole process group stops a run file gracefully: the workers are not hit, nothing counts as a crash', async () => {
  // detached: the CLI leads its own process group, as a shell job would; the signal goes to the group
  const child = spawn(process.execPath, [cli, 'run', fixture('endless-run.ts'), '--json', '--max-restarts', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = once(child, 'close');
  await waitFor(() => stdout.split('\n').length > 4, 10_000);
  process.kill(-child.pid!, 'SIGINT');
  const [code] = await done;
  expect(stderr).not.toContain('crash');
  expect(code).toBe(130);
  const lines = records(stdout);
  expect(lines.length).toBeGreaterThan(3);
  expect(lines.every((r) => r.ok)).toBe(true);
});

it('stops quietly when the reader of its output goes away (| head)', async () => {
  const child = spawn('bash', ['-c', `seq 1 200000 | "${process.execPath}" "${cli}" run workers/echo.ts --workers 2 | head -3; echo "status \${PIPESTATUS[1]}" >&2`], {
    cwd: root,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await once(child, 'close');
  expect(records(stdout)).toEqual([1, 2, 3].map((n, i) => ({ id: i, ok: true, result: n })));
  expect(stderr).toContain('status 141');
  expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
});
