// Job ids are 32-bit and start again at 1 after the last: a job still holding its id from the round before must
// not share it with a new job. The id space is made small here (an internal hook) so that it wraps in a test.
import { afterEach, expect, it } from 'vitest';
import { Supervisor, type SupervisorOptions } from 'supervise';
import { fixture } from '../helpers.js';

const opened: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((sup) => sup.close()));
});

/** The internal second argument of the constructor (hooks for serve and tests); the public typings leave it out. */
const WithHooks = Supervisor as unknown as new (options: SupervisorOptions, hooks: { jobIds: { first: number; max: number } }) => Supervisor;

function smallIds(max: number, options: Partial<SupervisorOptions> = {}): Supervisor {
  const sup = new WithHooks({ worker: fixture('handlers.ts'), workers: 1, perWorker: 16, logLevel: 'silent', ...options }, { jobIds: { first: 1, max } });
  opened.push(sup);
  return sup;
}

it('skips the id of a job still running from the round before, however many times the ids wrap', async () => {
  const sup = smallIds(8);
  const long = sup.runDetailed({ value: 'long', ms: 600 }, { name: 'delayed' });
  const longId = 1;
  const ids: number[] = [];
  const started = Date.now();
  // a few jobs in flight at a time, for as long as the long job runs: the ids wrap many times around it
  while (Date.now() - started < 700) {
    const batch = await Promise.all(
      [0, 1, 2].map(async (k) => {
        const value = `short ${ids.length}-${k}`;
        const out = await sup.runDetailed(value);
        expect(out.result).toBe(value);
        return out.jobId;
      }),
    );
    ids.push(...batch);
  }
  const outcome = await long;
  expect(outcome.result).toBe('long');
  expect(outcome.jobId).toBe(longId);
  expect(ids.length).toBeGreaterThan(30);
  expect(Math.max(...ids)).toBeLessThanOrEqual(8);
  // while the long job held id 1, no other job got it
  expect(ids).not.toContain(longId);
});

it('skips the id of a timed-out job whose worker has not let go of it, so its late reply reaches no other job', async () => {
  const sup = smallIds(6, { killGrace: 1000 });
  // the handler does not stop when cancelled: it answers after 500 ms, long after its 50 ms timeout
  await expect(sup.run({ value: 'late', ms: 500 }, { name: 'delayed', timeout: 50, retries: 0 })).rejects.toMatchObject({ code: 'ERR_JOB_TIMEOUT' });
  const started = Date.now();
  let count = 0;
  // five 60 ms jobs at a time use every id of the small space in each round, so when the late reply comes, a job
  // with the timed-out job's id would be in flight to take it
  while (Date.now() - started < 900) {
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (k) => {
        const value = `short ${count}-${k}`;
        expect(await sup.run({ value, ms: 60 }, { name: 'delayed' })).toBe(value);
      }),
    );
    count++;
  }
  expect(count).toBeGreaterThan(8);
});
