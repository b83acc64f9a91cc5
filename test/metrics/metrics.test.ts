// supervise/metrics: the pool's figures in Prometheus text format, from a live pool with real workers, through the
// API (collectMetrics, serveMetrics) and `supervise serve --metrics`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { collectMetrics, createRegistry, serveMetrics } from 'supervise/metrics';
import { closeAll, fixture, supervisor, waitFor } from '../helpers.js';
import { ECHO_WORKER, runCli, tempDir, waitForSocket } from '../serve/helpers.js';

afterEach(closeAll);

/** One metric's value from Prometheus text: `name{labels} value`. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function get(target: { port: number } | { socketPath: string }, url = '/metrics'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...target, host: '127.0.0.1', path: url }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('collectMetrics', () => {
  it('counts jobs by handler and outcome, times them, and reads workers, queue and heartbeats at scrape time', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 2, heartbeatInterval: 50, heartbeatTimeout: 5000 });
    const registry = new Registry();
    const metrics = collectMetrics(sup, { registry, labels: { pool: 'test' } });
    await Promise.all([sup.run(1), sup.run(2), sup.run(3)]);
    await sup.run('no', { name: 'fail' }).catch(() => undefined);
    await sup.run(9, { name: 'crash', retries: 0 }).catch(() => undefined);
    await sup.ready(2);
    expect(await waitFor(() => sup.workerStats().every((w) => w.rss > 0), 5000)).toBe(true);

    const text = await registry.metrics();
    expect(value(text, 'supervise_jobs_total{pool="test",handler="default",outcome="done"}')).toBe(3);
    expect(value(text, 'supervise_jobs_total{pool="test",handler="fail",outcome="failed"}')).toBe(1);
    expect(value(text, 'supervise_jobs_total{pool="test",handler="crash",outcome="failed"}')).toBe(1);
    expect(value(text, 'supervise_job_run_seconds_count{pool="test",handler="default"}')).toBe(3);
    expect(value(text, 'supervise_job_wait_seconds_count{pool="test",handler="default"}')).toBe(3);
    expect(value(text, 'supervise_worker_exits_total{pool="test",cause="crash"}')).toBe(1);
    expect(value(text, 'supervise_workers{pool="test",state="ready"}')).toBe(2);
    expect(value(text, 'supervise_queue_depth{pool="test"}')).toBe(0);
    expect(value(text, 'supervise_jobs_in_flight{pool="test"}')).toBe(0);
    const workerIds = sup.workerStats().map((w) => w.workerId);
    for (const id of workerIds) {
      expect(value(text, `supervise_worker_rss_bytes{pool="test",worker="${id}"}`)).toBeGreaterThan(1_000_000);
      expect(value(text, `supervise_worker_event_loop_delay_seconds{pool="test",worker="${id}"}`)).toBeGreaterThanOrEqual(0);
    }

    metrics.remove();
    await sup.run(4);
    expect(await registry.metrics()).not.toContain('supervise_jobs_total');
  });

  it('takes several supervisors in one registry, told apart by their labels, as documented', async () => {
    const thumbs = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const mails = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const registry = new Registry();
    const first = collectMetrics(thumbs, { registry, labels: { pool: 'thumbs' } });
    const second = collectMetrics(mails, { registry, labels: { pool: 'mails' } });
    await Promise.all([thumbs.run(1), thumbs.run(2), mails.run(3)]);
    let text = await registry.metrics();
    expect(value(text, 'supervise_jobs_total{pool="thumbs",handler="default",outcome="done"}')).toBe(2);
    expect(value(text, 'supervise_jobs_total{pool="mails",handler="default",outcome="done"}')).toBe(1);
    expect(value(text, 'supervise_workers{pool="thumbs",state="ready"}')).toBe(1);
    expect(value(text, 'supervise_workers{pool="mails",state="ready"}')).toBe(1);
    expect(text.match(/^# TYPE supervise_jobs_total counter$/gm)).toHaveLength(1);
    // label names must agree: a registry's metric has one set of them
    expect(() => collectMetrics(mails, { registry, labels: { team: 'x' } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    // and values must differ: the same series twice would count every job twice
    expect(() => collectMetrics(mails, { registry, labels: { pool: 'mails' } })).toThrow(/in this registry already/);

    first.remove();
    text = await registry.metrics();
    expect(text).not.toContain('pool="thumbs"');
    expect(value(text, 'supervise_jobs_total{pool="mails",handler="default",outcome="done"}')).toBe(1);
    second.remove();
    expect(await registry.metrics()).not.toContain('supervise_');
  });

  it.each([
    [{ labels: { 'bad-label': 'x' } }, /label name "bad-label" is not a Prometheus label name/],
    [{ labels: { handler: 'x' } }, /label name 'handler' is one the metrics set themselves/],
    [{ labels: { pool: 3 as unknown as string } }, /the value of label 'pool' must be a string/],
    [{ prefix: 'my-app.' }, /`prefix` must be letters, digits/],
    [{ buckets: [1, 0.5] }, /`buckets` must be a non-empty array of finite numbers in increasing order/],
  ])('refuses bad options with an OptionError that says which: %j', (options, message) => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const error = (() => {
      try {
        collectMetrics(sup, { registry: new Registry(), ...options });
      } catch (caught) {
        return caught as { code?: string; message: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('ERR_INVALID_OPTION');
    expect(error?.message).toMatch(message);
  });

  it('takes over a socket path left by a process that died, and never a file or a live socket', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const stale = path.join(dir, 'stale.sock');
      // bound and never closed: the file stays, and nobody answers on it (as after a SIGKILL)
      execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', stale]);
      const registry = createRegistry();
      const endpoint = await serveMetrics(registry, stale);
      try {
        expect((await get({ socketPath: stale })).status).toBe(200);
        // a live one is left alone
        await expect(serveMetrics(registry, stale)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      } finally {
        await endpoint.close();
      }
      const file = path.join(dir, 'not-a-socket');
      writeFileSync(file, 'keep me');
      await expect(serveMetrics(registry, file)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(readFileSync(file, 'utf8')).toBe('keep me');
    } finally {
      cleanup();
    }
  });

  it('serves a registry at GET /metrics on a port, and 404 elsewhere', async () => {
    const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
    const registry = createRegistry();
    collectMetrics(sup, { registry });
    await sup.run(1);
    const endpoint = await serveMetrics(registry, 0);
    try {
      const port = Number(endpoint.address.split(':').at(-1));
      const ok = await get({ port });
      expect(ok.status).toBe(200);
      expect(value(ok.body, 'supervise_jobs_total{handler="default",outcome="done"}')).toBe(1);
      expect((await get({ port }, '/')).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });
});

describe('supervise serve --metrics', () => {
  it('serves the pool’s and the process’s metrics on a Unix socket, and still exits 0 on SIGTERM', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const socket = path.join(dir, 'echo.sock');
      const metricsSocket = path.join(dir, 'metrics.sock');
      const cli = runCli(['serve', ECHO_WORKER, '--socket', socket, '--workers', '2', '--metrics', metricsSocket, '--log-level', 'warn']);
      await waitForSocket(socket);
      await waitForSocket(metricsSocket);
      let body = '';
      expect(
        await waitFor(async () => {
          body = (await get({ socketPath: metricsSocket })).body;
          return value(body, 'supervise_workers{state="ready"}') === 2;
        }, 15_000),
        body,
      ).toBe(true);
      expect(body).toContain('supervise_process_cpu_user_seconds_total');
      cli.child.kill('SIGTERM');
      expect((await cli.exited).code, cli.stderr()).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('refuses a bad --metrics value with one line', async () => {
    const cli = runCli(['serve', ECHO_WORKER, '--socket', '/tmp/never.sock', '--metrics', '70000']);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe("supervise serve: --metrics expects a port from 1 to 65535 or a socket path, got '70000'\n");
  });
});
