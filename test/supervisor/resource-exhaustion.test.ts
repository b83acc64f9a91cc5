/*
 * Running out of file descriptors is a passing condition, not a crash: a
 * worker spawn that fails with EMFILE is retried with backoff and never throws
 * into the host, and a worker whose own fd table is full keeps beating.
 * Each case runs a supervisor host (test/fixtures/procs-*-host.ts) under a low
 * fd limit, so the table fills in a few dozen opens.
 */
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';
import { fixture } from '../helpers.js';

/** What the fixture hosts print as their last line (each sets the fields of its own case). */
interface Summary {
  ok?: boolean;
  uncaught?: string[];
  exits?: { cause: string; reason: string }[];
  fillError?: string;
  stateWhileFull?: string;
  first?: number;
  second?: number;
  hoard?: { worker: number; opened: number; code: string };
  maxSilent?: number;
  whileFull?: number;
  released?: number;
  after?: number;
  stats?: { restarts: number };
}

/** Runs a fixture host with `ulimit -n limit` (workers inherit it) and returns its exit code, its JSON summary (last stdout line) and its stderr. */
function runLimited(script: string, limit: number): Promise<{ code: number | null; summary: Summary; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', `ulimit -n ${limit} && exec "$0" --import tsx "$1"`, process.execPath, fixture(script)],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        let summary: Summary = {};
        try {
          summary = JSON.parse(last) as Summary;
        } catch {
          // no summary: the host died; the exit code and stderr say how
        }
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, summary, stdout, stderr });
      },
    );
  });
}

it('a worker spawn that fails with EMFILE never crashes the host: it is retried with backoff, uncounted, and the pool recovers', async () => {
  const { code, summary, stdout, stderr } = await runLimited('procs-emfile-host.ts', 64);
  const context = `exit code ${code}\nstdout: ${stdout}\nstderr: ${stderr}`;
  expect(summary.uncaught, context).toEqual([]);
  expect(code, context).toBe(0);
  expect(summary.ok, context).toBe(true);
  expect(summary.fillError).toBe('EMFILE');
  const failed = (summary.exits ?? []).filter((e) => e.cause === 'spawn-failed');
  expect(failed.length, context).toBeGreaterThanOrEqual(3);
  for (const exit of failed) expect(exit.reason).toMatch(/EMFILE|ENFILE/);
  // maxRestarts is 2 in the host: three failed spawns did not fail the pool, so they were not counted
  expect(summary.stateWhileFull).toBe('running');
  expect(summary.second).not.toBe(summary.first);
});

it("a worker's heartbeat keeps going while its fd table is full, and the worker still answers jobs", async () => {
  const { code, summary, stdout, stderr } = await runLimited('procs-heartbeat-host.ts', 256);
  const context = `exit code ${code}\nstdout: ${stdout}\nstderr: ${stderr}`;
  expect(code, context).toBe(0);
  expect(summary.ok, context).toBe(true);
  expect(summary.hoard?.code, context).toBe('EMFILE');
  const worker = summary.hoard?.worker;
  // heartbeatTimeout is 1000 ms, heartbeatInterval 100 ms
  expect(summary.maxSilent, context).toBeLessThan(1000);
  // the only exit is the one close() ordered
  expect(summary.exits, context).toEqual([{ cause: 'ordered', reason: expect.stringContaining('the supervisor is stopping') }]);
  expect([summary.whileFull, summary.released, summary.after]).toEqual([worker, worker, worker]);
  expect(summary.stats?.restarts).toBe(0);
});
