/*
 * Nothing a worker leaves behind outlives it: not the worker itself when its
 * supervisor is SIGKILLed while the worker's event loop is blocked (the
 * watchdog), and not the processes its handlers started (the worker's process
 * group is killed with it), however the worker ends. A module can opt out
 * with `export const supervise = { keepProcessGroup: true }`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, closeAll, fixture, liveChildren, supervisor, waitFor } from '../helpers.js';

const worker = fixture('procs-worker.ts');

/** Pids (and so process groups) that a failing test may leave running: killed after each test, so a spin or a sleep never outlives it. */
const leftovers = new Set<number>();
const hosts = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(async () => {
  for (const host of hosts) host.kill('SIGKILL');
  hosts.clear();
  await closeAll();
  for (const pid of leftovers) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  leftovers.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts test/fixtures/procs-host.ts (a supervisor in a process of its own, which the test can SIGKILL) and collects its stdout. */
function startHost(...args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture('procs-host.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  hosts.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (out += chunk));
  return { child, out: () => out };
}

async function killHost(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Reads a pid the worker wrote to `file`, once it is there. */
function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of `sh` processes whose parent is `ppid`: the host's watchdog. */
const watchdogsOf = (ppid: number): number[] => liveChildren(ppid, ({ comm }) => comm === 'sh');

it('stands guard again when the watchdog itself is killed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-orphans-'));
  dirs.push(dir);
  const pidFile = path.join(dir, 'worker.pid');
  const { child } = startHost('spin', pidFile);
  expect(await waitFor(() => readPid(pidFile) !== undefined, 15_000), 'the spin job was never dispatched').toBe(true);
  const workerPid = readPid(pidFile)!;
  leftovers.add(workerPid);
  const [first] = watchdogsOf(child.pid!);
  expect(first, 'the host has no watchdog').toBeDefined();
  process.kill(first, 'SIGKILL');
  expect(await waitFor(() => watchdogsOf(child.pid!).some((pid) => pid !== first), 5000), 'no new watchdog after the first was killed').toBe(true);
  // the new guard knows the worker's group from its first instant (its arguments), not from a later write that a
  // host killed right after spawning it would never make
  const second = watchdogsOf(child.pid!).find((pid) => pid !== first)!;
  expect(readFileSync(`/proc/${second}/cmdline`, 'utf8').split('\0')).toContain(String(workerPid));
  await killHost(child);
  expect(await waitFor(() => !alive(workerPid), 3000, 10), `worker ${workerPid} outlived its SIGKILLed supervisor`).toBe(true);
});

it('a worker whose event loop is blocked does not outlive its supervisor when the supervisor is SIGKILLed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-orphans-'));
  dirs.push(dir);
  const pidFile = path.join(dir, 'worker.pid');
  const { child } = startHost('spin', pidFile);
  expect(await waitFor(() => readPid(pidFile) !== undefined, 15_000), 'the spin job was never dispatched').toBe(true);
  const workerPid = readPid(pidFile)!;
  leftovers.add(workerPid);
  expect(alive(workerPid)).toBe(true);

  await killHost(child);
  const killedAt = Date.now();
  // the spinning worker never reads its closed channel: only the watchdog can end it (within 2 s; 3 s allowed here)
  const gone = await waitFor(() => !alive(workerPid), 3000, 10);
  expect(gone, `worker ${workerPid} still running ${Date.now() - killedAt} ms after its supervisor was SIGKILLed`).toBe(true);
});

describe("a handler's child process goes with its worker", () => {
  it('when the worker is SIGKILLed from outside (and the pool replaces it)', async () => {
    const sup = supervisor({ worker, workers: 1 });
    const first = await sup.run<{ worker: number; sleep: number }>(null, { name: 'spawnSleep' });
    leftovers.add(first.sleep);
    expect(alive(first.sleep)).toBe(true);

    process.kill(first.worker, 'SIGKILL');
    expect(await waitFor(() => !alive(first.sleep), 3000), `sleep ${first.sleep} outlived its SIGKILLed worker`).toBe(true);
    expect(await waitFor(() => sup.workerStats().some((w) => w.state === 'ready' && w.pid !== first.worker), 10_000)).toBe(true);
    const next = await sup.run<number>(null, { name: 'pid' });
    expect(next).not.toBe(first.worker);
  });

  it.each([
    ['destroy()', (sup: ReturnType<typeof supervisor>) => sup.destroy()],
    ['a graceful close()', (sup: ReturnType<typeof supervisor>) => sup.close()],
  ])('on %s', async (what, stop) => {
    const sup = supervisor({ worker, workers: 1 });
    const { sleep } = await sup.run<{ worker: number; sleep: number }>(null, { name: 'spawnSleep' });
    leftovers.add(sleep);
    expect(alive(sleep)).toBe(true);
    await stop(sup);
    expect(await waitFor(() => !alive(sleep), 3000), `sleep ${sleep} outlived ${what}`).toBe(true);
  });

  it('when the supervisor process itself is SIGKILLed', async () => {
    const { child, out } = startHost('sleep');
    expect(await waitFor(() => out().includes('\n'), 15_000), 'the host never reported its pids').toBe(true);
    const pids = JSON.parse(out()) as { worker: number; sleep: number };
    leftovers.add(pids.worker).add(pids.sleep);
    expect(alive(pids.sleep)).toBe(true);

    await killHost(child);
    const gone = await waitFor(() => !alive(pids.sleep) && !alive(pids.worker), 3000, 10);
    expect(gone, `still running after the supervisor was SIGKILLed: ${[pids.worker, pids.sleep].filter(alive).join(', ')}`).toBe(true);
  });

  it('unless the module exports `supervise = { keepProcessGroup: true }`: then it survives close()', async () => {
    const sup = supervisor({ worker: fixture('procs-keep-group.ts'), workers: 1 });
    const { worker: workerPid, sleep } = await sup.run<{ worker: number; sleep: number }>(null, { name: 'spawnSleep' });
    leftovers.add(sleep);
    await sup.close();
    expect(await waitFor(() => !alive(workerPid), 3000)).toBe(true);
    // a short grace for a group kill that must not come
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(sleep), `sleep ${sleep} was killed although the module kept its process group`).toBe(true);
  });
});
