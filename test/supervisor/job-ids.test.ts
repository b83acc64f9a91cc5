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
  await sup.ready();
  let longDone = false;
  const long = sup.runDetailed({ value: 'long', ms: 3000 }, { name: 'delayed' });
  void long.finally(() => (longDone = true));
  const longId = 1;
  const ids: number[] = [];
  // 60 short jobs, three in flight at a time: with ids 1 to 8, they wrap around the long job's id about 8 times
  for (let batch = 0; batch < 20; batch++) {
    const out = await Promise.all(
      [0, 1, 2].map(async (k) => {
        const value = `short ${batch}-${k}`;
        const { result, jobId } = await sup.runDetailed(value);
        expect(result).toBe(value);
        return jobId;
      }),
    );
    ids.push(...out);
  }
  // what the test is about: every one of those ids was handed out while the long job held its own
  expect(longDone).toBe(false);
  expect(Math.max(...ids)).toBe(8);
  expect(ids).not.toContain(longId);
  const outcome = await long;
  expect(outcome.result).toBe('long');
  expect(outcome.jobId).toBe(longId);
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
