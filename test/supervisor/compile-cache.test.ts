// The compile cache: TypeScript worker modules are compiled into a directory no other user can write,
// checked before every spawn, removed at close and at exit, with source maps that name the user's file.
// Each test gets its own TMPDIR, so what it finds there is this test's alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor, waitFor } from '../helpers.js';

const NOBODY = 65534;
const savedTmpdir = process.env.TMPDIR;
let root: string;

beforeEach(() => {
  root = mkdtempSync('/tmp/compile-cache-test-');
  process.env.TMPDIR = root;
});

afterEach(async () => {
  await closeAll();
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(root, { recursive: true, force: true });
});

/** Entries of `dir` that hold compiled modules (the old `supervise-<uid>`, or the new `supervise-<pid>-XXXXXX`). */
const cacheDirs = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('supervise-'));

/** Every .mjs file under `dir`, however deep. */
function compiledFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => path.join(dir, name));
}

/**
 * Code another user would like our workers to run: it leaves a marker in a
 * directory only root can write to (so only our own worker could have made it),
 * and echoes like the real module, so jobs alone would not tell.
 */
function evilModule(marker: string): string {
  return `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'ran as uid ' + process.getuid());
export default (payload) => payload;
`;
}

/** A directory for the marker that nobody cannot write to. */
function evidenceDir(): { marker: string } {
  const dir = path.join(root, 'evidence');
  mkdirSync(dir, { mode: 0o755 });
  return { marker: path.join(dir, 'pwned') };
}

it('another user who prepares the cache directory and keeps swapping .mjs files never gets code into our workers', async () => {
  expect(process.getuid!()).toBe(0);
  // TMPDIR like /tmp: anyone may create entries, the sticky bit keeps them from touching others'
  chmodSync(root, 0o1777);
  const { marker } = evidenceDir();
  // the predictable path the compiler used to use, made first by nobody and left wide open
  const predictable = path.join(root, `supervise-${process.getuid!()}`);
  mkdirSync(predictable);
  chownSync(predictable, NOBODY, NOBODY);
  chmodSync(predictable, 0o777);
  const evil = path.join(root, 'evil.mjs');
  writeFileSync(evil, evilModule(marker), { mode: 0o644 });

  // nobody, in a loop: replace every .mjs it can find under TMPDIR (and has not replaced yet) with its own code
  const script = `while :; do
    find "$ROOT" -name '*.mjs' ! -path "$EVIL" 2>/dev/null | while read -r f; do
      cmp -s "$EVIL" "$f" || { cp "$EVIL" "$f.new" 2>/dev/null && mv -f "$f.new" "$f" 2>/dev/null && echo "swapped $f"; }
    done
    sleep 0.02
  done`;
  const attacker = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', script], {
    env: { PATH: process.env.PATH, ROOT: root, EVIL: evil },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  let swaps = '';
  attacker.stdout.setEncoding('utf8').on('data', (chunk: string) => (swaps += chunk));
  try {
    // recycling after 3 jobs, a crash, a resize and a reload: every one of them spawns workers from the compiled file
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2, maxJobsPerWorker: 3, restartDelay: 10 });
    await sup.ready();
    const check = async (round: string) => {
      const inputs = Array.from({ length: 8 }, (_, i) => `${round}-${i}`);
      expect(await Promise.all(inputs.map((input) => sup.run(input)))).toEqual(inputs);
      // give the attacker time for a swap before the next spawns
      await new Promise((resolve) => setTimeout(resolve, 150));
    };
    for (let round = 0; round < 5; round++) await check(`recycle${round}`);
    await sup.run(7, { name: 'crash', retries: 0 }).catch(() => {});
    await check('after-crash');
    sup.resize(3);
    await sup.ready(3);
    await check('after-resize');
    await sup.reload();
    await check('after-reload');
    expect(sup.stats().recycled).toBeGreaterThan(0);
    expect(sup.state).toBe('running');
  } finally {
    process.kill(-attacker.pid!, 'SIGKILL');
  }
  expect(existsSync(marker), `nobody's code ran in a worker; the attacker's log:\n${swaps}`).toBe(false);
  // nothing of ours was even in reach: the only .mjs files nobody could see were its own
  expect(swaps).toBe('');
});

it.each([
  ['owned by another user', NOBODY, 0o777],
  ['writable by everyone without a sticky bit', 0, 0o777],
])('refuses a TMPDIR %s with ERR_UNSAFE_CACHE_DIR, and starts no worker', async (_what, owner, mode) => {
  expect(process.getuid!()).toBe(0);
  const shared = path.join(root, 'shared');
  mkdirSync(shared);
  chownSync(shared, owner, owner);
  chmodSync(shared, mode);
  process.env.TMPDIR = shared;

  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2 });
  const spawned: unknown[] = [];
  sup.on('worker:spawn', (event) => spawned.push(event));
  await expect(sup.ready()).rejects.toMatchObject({ name: 'UnsafeCacheDirError', code: 'ERR_UNSAFE_CACHE_DIR', path: shared });
  await expect(sup.run('x')).rejects.toMatchObject({ code: 'ERR_UNSAFE_CACHE_DIR' });
  expect(sup.state).toBe('failed');
  expect(sup.failure?.message).toContain(shared);
  expect(spawned).toEqual([]);
  expect(readdirSync(shared)).toEqual([]);
});

it('never spawns a worker from a compiled file that was replaced after it was written', async () => {
  const { marker } = evidenceDir();
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
  await sup.ready();
  const [file] = compiledFiles(root);
  expect(file).toBeDefined();
  // a new file renamed over the compiled one, as anyone with write access to its directory could
  writeFileSync(`${file}.new`, evilModule(marker));
  renameSync(`${file}.new`, file);

  // the worker dies; its replacement would load the replaced file
  await sup.run(7, { name: 'crash', retries: 0 }).catch(() => {});
  await waitFor(() => sup.state === 'failed' || existsSync(marker), 10_000);
  expect(existsSync(marker), 'the replaced file was run').toBe(false);
  expect(sup.state).toBe('failed');
  expect(sup.failure).toMatchObject({ name: 'UnsafeCacheDirError', code: 'ERR_UNSAFE_CACHE_DIR', path: file });
  await expect(sup.run('x')).rejects.toMatchObject({ code: 'ERR_UNSAFE_CACHE_DIR' });
});

it('compiles into a directory of its own, mode 0700, removed by close() and by destroy()', async () => {
  for (const stop of ['close', 'destroy'] as const) {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    expect(await sup.run('hi')).toBe('hi');
    const [dir, ...others] = cacheDirs(root);
    expect(others).toEqual([]);
    const stats = lstatSync(path.join(root, dir));
    expect({ directory: stats.isDirectory(), uid: stats.uid, mode: stats.mode & 0o7777 }).toEqual({ directory: true, uid: process.getuid!(), mode: 0o700 });
    expect(compiledFiles(root)).toHaveLength(1);

    await sup[stop]();
    expect(cacheDirs(root), `after ${stop}()`).toEqual([]);
  }
});

/** Starts test/fixtures/compile-host.js with this test's TMPDIR; resolves once it ran a job, with what its TMPDIR then held. */
async function startHost(how: 'exit' | 'throw' | 'wait'): Promise<{ child: ChildProcess; seen: string[] }> {
  const child = spawn(process.execPath, [fixture('compile-host.js'), how], { env: { ...process.env, TMPDIR: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.resume();
  const printed = await waitFor(() => out.includes('\n') || child.exitCode !== null, 20_000);
  expect(printed && out.includes('\n'), `the host printed nothing (exit code ${child.exitCode})`).toBe(true);
  return { child, seen: JSON.parse(out) as string[] };
}

it.each(['exit', 'throw'] as const)('removes its compiled files when the process ends without close() (%s)', async (how) => {
  const { child, seen } = await startHost(how);
  const [code] = (child.exitCode === null ? await once(child, 'exit') : [child.exitCode]) as [number | null];
  expect(code).toBe(how === 'exit' ? 0 : 1);
  // while it ran, there was one cache directory
  expect(seen.filter((name) => name.startsWith('supervise-'))).toHaveLength(1);
  expect(cacheDirs(root)).toEqual([]);
});

it('removes the cache directories its own processes left when a signal killed them, and no others', async () => {
  const killed = await startHost('wait');
  const running = await startHost('wait');
  const ownDir = (pid: number | undefined) => cacheDirs(root).find((name) => name.startsWith(`supervise-${pid}-`));
  const left = ownDir(killed.child.pid);
  const kept = ownDir(running.child.pid);
  expect(left).toBeDefined();
  expect(kept).toBeDefined();
  // a look-alike of another user's, with a pid that does not exist
  const [, namespace] = /^supervise-\d+-(\d+)-/.exec(left!)!;
  const theirs = `supervise-4194303-${namespace}-AbCdEf`;
  mkdirSync(path.join(root, theirs), { mode: 0o700 });
  chownSync(path.join(root, theirs), NOBODY, NOBODY);
  try {
    // SIGTERM with no handler, as most tools stop a process: no exit hook runs
    killed.child.kill('SIGTERM');
    await once(killed.child, 'exit');
    expect(cacheDirs(root)).toContain(left);

    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    await sup.ready();
    const dirs = cacheDirs(root);
    expect(dirs).not.toContain(left);
    expect(dirs).toContain(kept);
    expect(dirs).toContain(theirs);
    expect(dirs).toHaveLength(3);
  } finally {
    running.child.kill('SIGKILL');
  }
});

it("a .ts handler's error reaches the caller with a stack naming the .ts file, line and column", async () => {
  const file = fixture('throws-typed.ts');
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes('THROW-HERE')) + 1;
  const column = lines[line - 1].indexOf('new Error') + 1;

  const sup = supervisor({ worker: file, workers: 1 });
  const error = (await sup.run({ id: 7, items: ['tea'] }).catch((e: unknown) => e)) as Error;
  expect(error.message).toBe('order 7: out of stock');
  const [, top] = error.stack!.split('\n');
  expect(top).toContain(`${file}:${line}:${column}`);
  expect(error.stack).not.toContain(root);
});
