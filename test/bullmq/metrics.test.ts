// `supervise work --metrics`: the pool's Prometheus metrics, as `supervise serve --metrics` gives them.
import { get as httpGet } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Host, hostArgs, queueOn, until } from './hosts.js';
import { RedisServer } from './redis-server.js';

let redis: RedisServer;
let dir: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  dir = mkdtempSync(path.join(tmpdir(), 'supervise-work-metrics-'));
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function scrape(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet({ socketPath, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('serves the pool’s metrics on a Unix socket: workers by state and the queue jobs it ran; exits 0 on SIGTERM', async () => {
  const socket = path.join(dir, 'metrics.sock');
  const host = new Host(hostArgs(redis, 'metered', ['--workers', '2', '--metrics', socket]));
  const queue = queueOn(redis, 'metered');
  try {
    await host.ready();
    expect(host.stderr).toContain(`metrics: GET /metrics on the Unix socket ${socket}`);
    await queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'default', data: { n: i } })));
    let body = '';
    await until('5 jobs in the metrics', async () => {
      body = await scrape(socket);
      return /supervise_jobs_total\{handler="default",outcome="done"\} 5\b/.test(body);
    }, 20_000);
    expect(body).toMatch(/supervise_workers\{state="ready"\} 2\b/);
    expect(body).toContain('supervise_process_cpu_user_seconds_total');
    host.kill('SIGTERM');
    expect((await host.exited).code, host.stderr).toBe(0);
  } finally {
    host.kill('SIGKILL');
    await queue.close();
  }
});

test('a bad --metrics value is one line and exit 2, before any worker starts', async () => {
  const host = new Host(hostArgs(redis, 'metered', ['--metrics', '70000']));
  expect((await host.exited).code).toBe(2);
  expect(host.stderr).toBe("supervise work: --metrics expects a port from 1 to 65535 or a socket path, got '70000'\n");
});
