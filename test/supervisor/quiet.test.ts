// Embedded without a logger, the supervisor logs nothing: worker output reaches the app's own stdout and stderr as
// plain lines, JSON data included, and the supervisor's own records stay out of both; they are events instead.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSupervisor, type JobLogRecord, OptionError, type WorkerOutputDroppedEvent } from 'supervise';
import { fixture, root } from '../helpers.js';

function runHost(): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', fixture('quiet-host.ts')], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('with neither logger nor logLevel', () => {
  it('passes worker stdout and stderr through as plain lines and logs nothing of its own', async () => {
    const { stdout, stderr } = await runHost();
    const out = stdout.split('\n');
    expect(out).toContain('plain stdout: quiet please');
    // a JSON object printed as data stays data, verbatim
    expect(out).toContain(JSON.stringify({ level: 30, msg: 'data, not a log record', n: 1 }));
    // ctx.log records go nowhere without a logger
    expect(stdout).not.toContain('"msg":"quiet please"');
    // the crash happened (the event says so) but was not logged
    expect(out).toContain('events: ["crash","ordered"]');
    const err = stderr.split('\n').filter((line) => line.length > 0);
    expect(err).toEqual(['partial stderr line: quiet please', 'fixture crash: exiting with 3']);
  });
});

describe('a worker module that cannot load, with neither logger nor logLevel', () => {
  it("reaches the app as the rejection only: no stack on the app's stderr, once per worker or at all", async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', fixture('quiet-boot-host.ts')], { cwd: root, timeout: 60_000 }, (error, out, err) => {
        if (error) reject(new Error(`${error.message}\nstdout: ${out}\nstderr: ${err}`));
        else resolve({ stdout: out, stderr: err });
      });
    });
    const reported = JSON.parse(stdout) as { code: string; message: string };
    expect(reported.code).toBe('ERR_CRASH_LOOP');
    expect(reported.message).toMatch(/the database URL is not set\n {4}at .*boot-throws\.ts:2:\d+/);
    expect(stderr).toBe('');
  });
});

describe('an app whose stdout cannot be written', () => {
  it('ends when its work is done: worker lines that hit a full disk are dropped, not retried for ever at exit', async () => {
    const full = openSync('/dev/full', 'w');
    const host = spawn(process.execPath, ['--import', 'tsx', fixture('quiet-host.ts')], { cwd: root, stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    host.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => host.kill('SIGKILL'), 30_000);
    const [code, signal] = (await once(host, 'close')) as [number | null, string | null];
    clearTimeout(timer);
    // the host's own last write to stdout fails (exit 1); what matters is that it exits at all
    expect(signal, stderr).toBeNull();
    expect(stderr).toContain('fixture crash: exiting with 3');
    expect(code).not.toBeNull();
  });
});

describe('events and loggers', () => {
  it('tells dropped worker output as a worker:output-dropped event', async () => {
    const sup = createSupervisor({ worker: fixture('flood-worker.js'), workers: 1, logLevel: 'silent' });
    try {
      const drops: WorkerOutputDroppedEvent[] = [];
      sup.on('worker:output-dropped', (event) => drops.push(event));
      const flooded = await sup.run<{ lines: number }>({ bytes: 8 * 1024 * 1024, stream: 'stdout' }, { name: 'flood' });
      await sup.close();
      const lines = drops.reduce((sum, drop) => sum + drop.lines, 0);
      expect(drops[0]).toMatchObject({ workerId: 1, stream: 'stdout' });
      expect(lines).toBeGreaterThan(0);
      expect(lines).toBeLessThanOrEqual(flooded.lines);
    } finally {
      await sup.destroy();
    }
  });

  it('takes any logger with child, debug, info, warn and error, and refuses one without', async () => {
    const records: string[] = [];
    const logger = {
      child: () => logger,
      debug: () => {},
      info: (fields: unknown, message?: string) => records.push(message ?? String(fields)),
      warn: (fields: unknown, message?: string) => records.push(message ?? String(fields)),
      error: (fields: unknown, message?: string) => records.push(message ?? String(fields)),
    };
    const sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, logger });
    try {
      await sup.run('to the logger', { name: 'log' });
      await sup.close();
      expect(records).toContain('to the logger');
      expect(records).toContain('plain stdout: to the logger');
    } finally {
      await sup.destroy();
    }
    expect(() => createSupervisor({ worker: fixture('handlers.ts'), logger: console as never })).toThrow(OptionError);
  });
});

describe('a listener that throws', () => {
  it('is a process warning when there is no logger, and the pool carries on', async () => {
    const sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      sup.on('job:done', () => {
        throw new Error('bug in the app’s listener');
      });
      expect(await sup.run(1)).toBe(1);
      expect(await sup.run(2)).toBe(2);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === 'SUPERVISE_LISTENER_ERROR');
      expect(ours).toHaveLength(2);
      expect(ours[0]!.message).toContain("a supervise 'job:done' event listener threw (the pool carries on): Error: bug in the app’s listener");
    } finally {
      process.off('warning', onWarning);
      await sup.destroy();
    }
  });
});

describe('ctx.log records with a logger', () => {
  it('travel as data with their own time, level and error type, and a JSON line on stdout stays a line', async () => {
    const records: Record<string, unknown>[] = [];
    const { pino } = await import('pino');
    const lines: string[] = [];
    // base: undefined, so the only pid a record carries is the one the supervisor binds per worker
    const logger = pino({ level: 'info', base: undefined }, {
      write: (line: string) => {
        lines.push(line);
        records.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    const sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, logger });
    try {
      const pid = await sup.run<number>(null, { name: 'pid' });
      const before = Date.now();
      await sup.run(null, { name: 'logError' });
      await sup.run(null, { name: 'printJson' });
      await sup.close();
      const logged = records.find((r) => r.msg === 'could not frobnicate');
      expect(logged).toMatchObject({ level: 50, workerId: 1, pid, err: { type: 'RangeError', message: 'out of frobs' } });
      expect(logged!.time).toBeGreaterThanOrEqual(before);
      expect(logged!.jobId).toBeGreaterThan(0);
      // the record names the worker's pid once: the JSON line has one "pid" key
      expect(lines.find((line) => line.includes('could not frobnicate'))!.match(/"pid":/g)).toHaveLength(1);
      // a JSON object printed on stdout is data: logged as the text it is, not taken for a record
      const printed = records.find((r) => r.stream === 'stdout' && String(r.msg).includes('data, not a log record'));
      expect(printed).toMatchObject({ level: 30, msg: JSON.stringify({ level: 30, msg: 'data, not a log record', n: 1 }) });
      expect(records.some((r) => r.msg === 'data, not a log record')).toBe(false);
    } finally {
      await sup.destroy();
    }
  });
});

describe('onLog', () => {
  it("hands each job its own ctx.log records, with level, message, time and fields; a throwing onLog harms nothing", async () => {
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: () => {} });
    const sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, perWorker: 4, logger });
    try {
      const mine: JobLogRecord[] = [];
      const theirs: JobLogRecord[] = [];
      const before = Date.now();
      const [a, b] = await Promise.all([
        sup.run('first job', { name: 'log', onLog: (record) => mine.push(record) }),
        sup.run('second job', { name: 'log', onLog: (record) => theirs.push(record) }),
        sup.run(null, { name: 'logError', onLog: () => { throw new Error('a broken callback'); } }),
      ]);
      expect([a, b]).toEqual(['logged', 'logged']);
      // only the job's own ctx.log records: not the other job's, not what it printed on stdout or stderr
      expect(mine).toEqual([{ level: 'info', msg: 'first job', time: expect.any(Number), fields: expect.objectContaining({ extra: 1 }) }]);
      expect(theirs.map((r) => r.msg)).toEqual(['second job']);
      expect(mine[0].time).toBeGreaterThanOrEqual(before);
      await expect(sup.run(null, { name: 'log', onLog: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    } finally {
      await sup.destroy();
    }
  });
});

