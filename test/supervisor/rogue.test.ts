// A worker that breaks the protocol on fd 3 is killed with a coded ProtocolError; its job is retried elsewhere.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createSupervisor, type JobDoneEvent, type Supervisor, type WorkerExitEvent } from 'supervise';
import { alive, fixture, waitFor } from '../helpers.js';

let sup: Supervisor | undefined;
afterEach(async () => {
  await sup?.destroy();
  sup = undefined;
});

const cases = [
  ['garbage', 'ERR_PROTOCOL_UNKNOWN_KIND'], // 'GET / HTTP/1.1' read as a header: kind byte '/' (47)
  ['huge-length', 'ERR_FRAME_TOO_LARGE'],
  ['truncated', 'ERR_PROTOCOL_TRUNCATED'],
  ['unknown-kind', 'ERR_PROTOCOL_UNKNOWN_KIND'],
  ['unknown-job', 'ERR_PROTOCOL_UNKNOWN_JOB'],
  ['finished-job', 'ERR_PROTOCOL_UNKNOWN_JOB'],
  ['malformed-json', 'ERR_PROTOCOL_MALFORMED'],
  ['progress-unknown-job', 'ERR_PROTOCOL_UNKNOWN_JOB'],
  ['progress-malformed', 'ERR_PROTOCOL_MALFORMED'],
  ['chunk-unknown-job', 'ERR_PROTOCOL_UNKNOWN_JOB'],
] as const;

it.each(cases)('%s: the worker is killed with %s, the job is answered exactly once, the supervisor carries on', async (kind, code) => {
  const records: Record<string, any>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => records.push(JSON.parse(line)) });
  sup = createSupervisor({ worker: fixture('hostile.ts'), workers: 2, logger, restartDelay: 10 });
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'supervise-rogue-')), 'marker');
  const rssBefore = process.memoryUsage().rss;
  // a promise settles once whatever happens; the supervisor's own record of answers is its job:done events
  const done: JobDoneEvent[] = [];
  const exits: WorkerExitEvent[] = [];
  sup.on('job:done', (event) => done.push(event));
  sup.on('worker:exit', (event) => exits.push(event));
  const outcome = await sup.runDetailed<{ pid: number; value: string }>({ marker, kind }, { name: 'rogue' });
  const rogueLog = await waitFor(() => records.some((r) => r.code === code), 3000).then(() => records.find((r) => r.code === code));
  expect(rogueLog, JSON.stringify(records.map((r) => r.msg))).toMatchObject({ msg: 'protocol error from worker; killing it', level: 50 });
  const roguePid = rogueLog!.workerPid as number;
  expect(await waitFor(() => !alive(roguePid), 3000)).toBe(true);
  // once the rogue worker's exit is handled, nothing it sent can still answer the job
  expect(await waitFor(() => exits.some((e) => e.pid === roguePid), 3000)).toBe(true);

  if (kind === 'finished-job') {
    // the first reply won; the duplicate got the worker killed and changed nothing
    expect(outcome.result.value).toBe('answered-early');
    expect(outcome.attempts).toBe(1);
  } else {
    expect(outcome.result.value).toBe(`ok:${kind}`);
    expect(outcome.attempts).toBe(2);
    expect(outcome.pid).not.toBe(roguePid);
  }
  expect(done.filter((e) => e.jobId === outcome.jobId).map((e) => e.ok)).toEqual([true]);
  expect(sup.state).toBe('running');
  expect(await sup.run('still serving')).toBe('still serving');
  // a 4 GiB length prefix must not have been allocated
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
});
