// supervise run in NDJSON mode with two-way jobs: chunk lines of generator handlers, progress lines with --progress.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { cli, fixture, root } from '../helpers.js';

async function run(args: string[], input: string): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [cli, 'run', fixture('progress.ts'), '--log-level', 'silent', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stdin.end(input);
  const [code] = await once(child, 'close');
  return { code: code as number | null, lines: out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

it('prints a generator handler\'s chunks as {"id","chunk"} lines before its final line, tagged and in order', async () => {
  const { code, lines } = await run(['--name', 'numbers', '--workers', '2'], '{"count":3}\n{"count":2}\n');
  expect(code).toBe(0);
  for (const id of [0, 1]) {
    const mine = lines.filter((line) => line.id === id);
    const count = id === 0 ? 3 : 2;
    expect(mine).toEqual([...Array.from({ length: count }, (_, i) => ({ id, chunk: i })), { id, ok: true, result: 'end' }]);
  }
  // final lines keep input order
  expect(lines.filter((line) => 'ok' in line).map((line) => line.id)).toEqual([0, 1]);
  // no progress lines without --progress
  expect(lines.some((line) => 'progress' in line)).toBe(false);
});

it('adds {"id","progress"} lines with --progress, the last value before the final line', async () => {
  const { code, lines } = await run(['--name', 'steps', '--progress', '--workers', '1'], '{"steps":3,"ms":30}\n');
  expect(code).toBe(0);
  expect(lines).toEqual([
    { id: 0, progress: 1 },
    { id: 0, progress: 2 },
    { id: 0, progress: 3 },
    { id: 0, ok: true, result: 'done' },
  ]);
});
