// A worker killed from outside before its hello is not a boot failure of the module: the pool restarts it instead of failing.
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

it('SIGKILLing the first 3 workers while they load (before any was ever ready) does not fail the pool; a queued job still runs', async () => {
  // procs-slow-boot.ts takes ~300 ms to load, so each kill surely lands before the hello
  const sup = supervisor({ worker: fixture('procs-slow-boot.ts'), workers: 1, restartDelay: 50 });
  const killed: number[] = [];
  const readyAtKill: number[] = [];
  let readies = 0;
  const causes: string[] = [];
  const failures: Error[] = [];
  sup.on('worker:ready', () => readies++);
  sup.on('worker:exit', (event) => causes.push(event.cause));
  sup.on('failed', (error) => failures.push(error));
  sup.on('worker:spawn', ({ pid }) => {
    if (killed.length >= 3 || pid === undefined) return;
    killed.push(pid);
    readyAtKill.push(readies);
    process.kill(pid, 'SIGKILL');
  });

  const job = sup.run<number>(null, { name: 'pid' });
  const served = await job;

  expect(killed).toHaveLength(3);
  expect(readyAtKill).toEqual([0, 0, 0]);
  expect(causes.slice(0, 3)).toEqual(['killed-while-starting', 'killed-while-starting', 'killed-while-starting']);
  expect(killed).not.toContain(served);
  expect(failures).toEqual([]);
  expect(sup.state).toBe('running');
  expect(sup.stats()).toMatchObject({ ready: 1, failed: 0 });
});
