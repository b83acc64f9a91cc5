// No orphans: when the supervisor is SIGKILLed, its workers notice their channel closed and exit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { alive, fixture, waitFor } from '../helpers.js';

it('every worker exits within 2 s after the supervisor is SIGKILLed', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture('supervisor-then-wait.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  await waitFor(() => out.includes('\n'), 20_000);
  const { workers } = JSON.parse(out) as { workers: number[] };
  expect(workers.length).toBeGreaterThanOrEqual(1);
  for (const pid of workers) expect(alive(pid)).toBe(true);

  child.kill('SIGKILL');
  await once(child, 'exit');
  const killedAt = Date.now();
  const gone = await waitFor(() => workers.every((pid) => !alive(pid)), 2000, 10);
  expect(gone, `workers still running ${Date.now() - killedAt} ms after the supervisor died: ${workers.filter(alive)}`).toBe(true);
});
