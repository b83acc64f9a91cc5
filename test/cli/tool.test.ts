// `supervise run` as a command-line tool: plain output for any handler, messages on stderr, one-line errors,
// short flags, help topics, the closing summary, and what it shows on a terminal.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, fixture, root } from '../helpers.js';

const cliFixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(args: string[], input = ''): Promise<Outcome> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs the CLI with stdin or stderr on a pseudo-terminal (python3's pty module). */
function runOnPty(which: 'stdin' | 'stderr' | 'both', args: string[]): Promise<Outcome & { terminal: string }> {
  return new Promise((resolve, reject) => {
    execFile('python3', [cliFixture('pty-run.py'), which, process.execPath, cli, ...args], { cwd: root, timeout: 90_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Outcome & { terminal: string });
    });
  });
}

const SUMMARY = /^supervise: (\d+) done, (\d+) failed in \d+\.\d s \([\d.,]+\/s\)$/m;

describe('supervise run output', () => {
  it('prints any handler’s results plainly, takes a plain { worker, jobs } run file, and puts its own lines on stderr', async () => {
    const { code, stdout, stderr } = await run(['run', cliFixture('double-run.ts')]);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('2\n4\n6\n');
    expect(stderr).toContain('supervise: 1 worker, each with its own channel: fd 3, an anonymous AF_UNIX stream socketpair');
    expect(stderr.match(SUMMARY)?.slice(1, 3)).toEqual(['3', '0']);
  });

  it('keeps the classic Send/Echo demo for examples/echo.ts through its format hook', async () => {
    const { code, stdout } = await run(['run', 'examples/echo.ts']);
    expect(code).toBe(0);
    expect(stdout).toContain("Send: 'Hello, world!'\nEcho: 'Hello, world!'  (worker pid ");
    expect(stdout).not.toContain('socketpair (no path');
  });

  it('ends NDJSON runs with the summary on stderr, counting failures', async () => {
    const { code, stdout, stderr } = await run(['run', 'workers/echo.ts', '--workers', '1'], '1\nnot json\n3\n');
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect(stderr.match(SUMMARY)?.slice(1, 3)).toEqual(['2', '1']);
  });
});

describe('supervise run errors', () => {
  it('exits 3 when the worker module cannot load, even with no input', async () => {
    const { code, stderr } = await run(['run', fixture('boot-throws.ts'), '--log-level', 'silent']);
    expect(code).toBe(3);
    expect(stderr).toContain('failed to boot');
  });

  it('answers an unknown flag with one line and a suggestion', async () => {
    const { code, stdout, stderr } = await run(['run', 'workers/echo.ts', '--wrkers', '2']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('supervise: unknown option --wrkers; did you mean --workers?\n');
  });

  it('prints a compile error once: one line and a code frame, no esbuild stack', async () => {
    // written here, not kept as a fixture: the typecheck of the tests would fail on it
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-compile-'));
    const broken = path.join(dir, 'does-not-compile.ts');
    writeFileSync(broken, '// a syntax error on line 3\nexport default function broken(x: number): number {\n  return x +* 2;\n}\n');
    const { code, stderr } = await run(['run', broken]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).toBe(3);
    expect(stderr.match(/Unexpected "\*"/g)).toHaveLength(1);
    expect(stderr).toContain('does-not-compile.ts:3:13: Unexpected "*"\n  3 |   return x +* 2;\n    |             ^');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('esbuild');
  });

  it('prints a compile error once for a run file too, not once per job and again at the end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-compile-run-'));
    writeFileSync(path.join(dir, 'does-not-compile.ts'), 'export default (x: number): number => x +* 2;\n');
    const runFile = path.join(dir, 'run.ts');
    writeFileSync(runFile, "export default { worker: './does-not-compile.ts', workers: 2, jobs: [1, 2, 3, 4, 5] };\n");
    const { code, stdout, stderr } = await run(['run', runFile]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr.match(/Unexpected "\*"/g)).toHaveLength(1);
    expect(stderr).toContain('does-not-compile.ts:1:42: Unexpected "*"\n  1 | export default (x: number): number => x +* 2;\n');
  });

  it('names the place of a syntax error in a TypeScript run file, with its line, not just "Transform failed"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-run-syntax-'));
    const broken = path.join(dir, 'broken-run.ts');
    writeFileSync(broken, "export default {\n  worker: './w.ts',\n  jobs: [1, 2 ;\n};\n");
    const { code, stdout, stderr } = await run(['run', broken]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^supervise: cannot load run file .*broken-run\.ts: .*broken-run\.ts:3:15: Expected "\]" but found ";"\n  3 \|   jobs: \[1, 2 ;\n    \| {15}\^\n/);
    expect(stderr).not.toContain('Transform failed');
  });
});

describe('a run file whose jobs throw', () => {
  it('prints the results before, then the run file’s error with its stack, and exits 1, not "internal error" 70', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-jobs-throw-'));
    writeFileSync(path.join(dir, 'double.ts'), 'export default (n: number): number => n * 2;\n');
    const runFile = path.join(dir, 'jobs-throw.ts');
    writeFileSync(runFile, "export default {\n  worker: './double.ts',\n  workers: 1,\n  *jobs() {\n    yield 1;\n    yield 2;\n    throw new Error('db down');\n  },\n};\n");
    const { code, stdout, stderr } = await run(['run', runFile]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(stdout).toBe('2\n4\n');
    expect(stderr).toContain("supervise: the run file's jobs threw, so no more jobs were read: Error: db down\n");
    // the file, even for a CommonJS run file, which tsx runs as a data: URL of its compiled text
    expect(stderr).toMatch(/at .*jobs-throw\.ts\b/);
    expect(stderr).not.toContain('data:text');
    expect(stderr).not.toContain('internal error');
    expect(code).toBe(1);
  });
});

describe('a run file whose worker is missing', () => {
  it('says the worker path resolves against the run file’s folder, not the current directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-no-worker-'));
    const runFile = path.join(dir, 'run.ts');
    writeFileSync(runFile, "export default { worker: './gone.js', jobs: [1] };\n");
    const { code, stderr } = await run(['run', runFile]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(code).toBe(2);
    expect(stderr).toContain(`supervise: the run file's worker module was not found: tried ${path.join(dir, 'gone.js')}, ${path.join(dir, 'gone.ts')}`);
    expect(stderr).toContain("resolves against the run file's folder");
    expect(stderr).not.toContain('current directory');
  });
});

describe('a run file with a mistake in its keys', () => {
  it.each([
    ["wrkers: 3", "supervise: the run file has an unknown key 'wrkers'; did you mean 'workers'?\n"],
    ["format: 'plain'", "supervise: the run file's `format` must be a function\n"],
  ])('%s: one line before any worker starts, exit 2', async (entry, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-run-keys-'));
    writeFileSync(path.join(dir, 'double.ts'), 'export default (n: number): number => n * 2;\n');
    const runFile = path.join(dir, 'run.ts');
    writeFileSync(runFile, `export default { worker: './double.ts', jobs: [1], ${entry} };\n`);
    const { code, stdout, stderr } = await run(['run', runFile]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(stdout).toBe('');
    expect(stderr.startsWith(message)).toBe(true);
    expect(code).toBe(2);
  });
});

describe('supervise run flags and help', () => {
  it('takes -w for --workers and -j for --concurrency', async () => {
    const { code, stdout } = await run(['run', fixture('handlers.ts'), '--name', 'pid', '-w', '1', '-j', '1'], '0\n0\n0\n0\n');
    expect(code).toBe(0);
    const pids = new Set(stdout.trim().split('\n').map((line) => (JSON.parse(line) as { result: number }).result));
    expect(pids.size).toBe(1);
  });

  it('shows the usage for `supervise help run` and `supervise help serve`', async () => {
    const runHelp = await run(['help', 'run']);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain('Usage: supervise run <file> [options]');
    expect(runHelp.stdout).toContain('-w, --workers <n>');
    const serveHelp = await run(['help', 'serve']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toContain('Usage: supervise serve');
  });
});

describe('supervise run on a terminal', () => {
  it('says on stderr that jobs are awaited when stdin is a terminal and nothing was typed', async () => {
    const { code, stdout, stderr } = await runOnPty('stdin', ['run', 'workers/echo.ts', '-w', '1']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('supervise: reading jobs from stdin, one JSON value per line; Ctrl-D ends the input');
    expect(stdout).toBe('{"id":0,"ok":true,"result":"typed"}\n');
  });

  it('clears the progress line before each log line and redraws it after', async () => {
    const { code, stdout, terminal } = await runOnPty('stderr', ['run', cliFixture('chatty-run.ts')]);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toHaveLength(11);
    expect(terminal.match(/chatty: job \d+ done/g)).toHaveLength(12);
    // the progress line was shown, and some log line came while it was
    expect(terminal).toMatch(/\d+\/12 done · \d+\/s · \d failed/);
    expect(terminal).toMatch(/chatty: job \d+ done[^\r\n]*\r?\n(?: {4}[^\r\n]*\r?\n)*\d+\/12 done · /);
    // the CLI's own line about the failed job, on a line of its own too
    expect(terminal).toMatch(/(^|\n|\x1b\[2K)supervise: job 5 \(5\) failed: Error: five fails\r?\n/);
    // never a log record or a line glued to the progress line: it always ends with a clear or a newline
    expect(terminal).not.toMatch(/\d+ failed(?![\r\n]| in )/);
  });
});

describe('supervise run with results on the terminal', () => {
  it('shows no progress line when stdout is the same terminal as stderr', async () => {
    const { code, terminal } = await runOnPty('both', ['run', cliFixture('chatty-run.ts')]);
    expect(code).toBe(1);
    expect(terminal).toMatch(/^0\r?$/m);
    expect(terminal).toContain('supervise: job 5 (5) failed: Error: five fails');
    expect(terminal).not.toContain(' done · ');
  });
});

describe('run files outside the package', () => {
  it('lets an ES module run file import supervise where it is not installed, and says what to do for a CommonJS one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supervise-outside-'));
    try {
      writeFileSync(path.join(dir, 'upper.ts'), 'export default (s: string): string => s.toUpperCase();\n');
      const runFile = "import { defineRun } from 'supervise';\nexport default defineRun({ worker: './upper.ts', workers: 1, jobs: ['outside'] });\n";
      writeFileSync(path.join(dir, 'run.mts'), runFile);
      writeFileSync(path.join(dir, 'run.ts'), runFile);
      const esm = await run(['run', path.join(dir, 'run.mts')]);
      expect(esm.code, esm.stderr).toBe(0);
      expect(esm.stdout).toBe('OUTSIDE\n');
      // no package.json with "type": "module" there: Node loads run.ts as CommonJS
      const cjs = await run(['run', path.join(dir, 'run.ts')]);
      expect(cjs.code).toBe(2);
      expect(cjs.stderr).toContain("Cannot find module 'supervise'");
      expect(cjs.stderr).toContain('make it an ES module (.mts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
