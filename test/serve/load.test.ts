// Load: 200 concurrent clients, each echoing several messages, all correct and spread over the workers.
import { describe, expect, it } from 'vitest';
import { LINE_WORKER, LineClient, useServeFixture, waitFor } from './helpers.js';

const CLIENTS = 200;
const MESSAGES = 10;
const WORKERS = 4;

const f = useServeFixture();

describe('serve() under load', () => {
  it(`${CLIENTS} concurrent clients × ${MESSAGES} messages over ${WORKERS} workers`, async () => {
    const socket = `${f.dir}/load.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: WORKERS, socket });
    const started = performance.now();
    // every client connects before any of them hangs up, so all 200 are open at once
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => LineClient.connect(socket)));
    const connected = performance.now();
    const pids = await Promise.all(
      clients.map(async (client, c) => {
        let pid = 0;
        for (let i = 0; i < MESSAGES; i++) {
          const text = `client ${c} message ${i} ${'x'.repeat(i * 50)}`;
          const reply = await client.request(text);
          const space = reply.indexOf(' ');
          expect(reply.slice(space + 1)).toBe(text);
          const from = Number(reply.slice(0, space));
          // a connection stays with one worker
          if (pid) expect(from).toBe(pid);
          pid = from;
        }
        return pid;
      }),
    );
    const exchanged = performance.now();
    // a worker's "accepted" (IPC) may trail its replies on the client socket by a moment
    await waitFor('every accept to be reported', () => server.stats().open === CLIENTS);
    const peak = server.stats();
    await Promise.all(clients.map((c) => c.end()));
    const finished = performance.now();

    const perWorker = new Map<number, number>();
    for (const pid of pids) perWorker.set(pid, (perWorker.get(pid) ?? 0) + 1);
    const stats = server.stats();
    const figures = {
      clients: CLIENTS,
      messagesPerClient: MESSAGES,
      workers: WORKERS,
      connectMs: Math.round(connected - started),
      exchangeMs: Math.round(exchanged - connected),
      totalMs: Math.round(finished - started),
      messagesPerSecond: Math.round((CLIENTS * MESSAGES) / ((exchanged - started) / 1000)),
      openAtPeak: peak.open,
      connectionsPerWorker: [...perWorker.values()].sort((a, b) => b - a),
      handedOff: stats.handedOff,
      handoffTimeouts: stats.handoffTimeouts,
      dropped: stats.dropped,
    };
    console.log(`serve load figures: ${JSON.stringify(figures)}`);

    expect(stats.handedOff).toBe(CLIENTS);
    expect(stats.dropped).toBe(0);
    expect(peak.open).toBe(CLIENTS);
    // least open connections: with all 200 open at once the split is even, 50 each, give or take what a worker
    // slow to answer (a busy machine) leaves to the others: its window of unanswered hand-offs (8) fills, the
    // others take the next ones, and it may trail them by up to two windows (CI saw 58/56/45/41). A balancer
    // that ignored open connections would give far more (a worker idle since the start, or all to one)
    expect(perWorker.size).toBe(WORKERS);
    for (const count of perWorker.values()) expect(Math.abs(count - CLIENTS / WORKERS)).toBeLessThanOrEqual(16);
    const workerPids = new Set(stats.workers.map((w) => w.pid));
    for (const pid of perWorker.keys()) expect(workerPids.has(pid)).toBe(true);
  });
});
