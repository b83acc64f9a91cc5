// The worker side of serve mode alone (ConnectionServer in a forked process; the test plays the supervisor):
// answers carry the offer they answer, and a second copy of a connection the worker holds is refused.
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useServeFixture } from './helpers.js';

const f = useServeFixture();

/** Forks the host, and collects its IPC messages. */
async function host(): Promise<{ child: ChildProcess; next: () => Promise<Record<string, unknown>> }> {
  const child = fork(path.join(ROOT, 'test/fixtures/serve-connection-host.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  f.defer(() => child.kill('SIGKILL'));
  const messages: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];
  child.on('message', (message: Record<string, unknown>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const next = () => {
    const message = messages.shift();
    return message ? Promise.resolve(message) : new Promise<Record<string, unknown>>((resolve) => waiters.push(resolve));
  };
  expect(await next()).toEqual({ host: 'ready' });
  return { child, next };
}

/** A connected pair over a Unix socket: the client end, and the server end to hand to the worker. */
async function pair(): Promise<{ client: net.Socket; accepted: net.Socket }> {
  const file = `${f.dir}/pair-${Math.random().toString(36).slice(2)}.sock`;
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(file, resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect(file);
  const socket = await accepted;
  server.close();
  f.defer(() => {
    client.destroy();
    socket.destroy();
  });
  return { client, accepted: socket };
}

describe('serve worker: ConnectionServer', () => {
  it('echoes the offer number in its answer, and refuses a second copy of a connection it holds (duplicate)', async () => {
    const { child, next } = await host();
    const { client, accepted } = await pair();
    const deadline = Date.now() + 10_000;
    child.send({ supervise: 'conn', id: 7, offer: 1, deadline }, accepted, { keepOpen: true });
    expect(await next()).toEqual({ supervise: 'accepted', id: 7, offer: 1 });
    // the supervisor gave up on offer 1 (its acknowledgement was late) and offered the connection again
    child.send({ supervise: 'conn', id: 7, offer: 2, deadline }, accepted, { keepOpen: true });
    expect(await next()).toEqual({ supervise: 'refused', id: 7, offer: 2, reason: 'duplicate' });
    // the one copy it kept serves the client
    const echoed = new Promise<string>((resolve) => client.once('data', (data) => resolve(String(data))));
    client.write('once\n');
    expect(await echoed).toBe('once\n');
  });

  it('refuses a copy that arrives after its deadline, saying which offer', async () => {
    const { child, next } = await host();
    const { accepted } = await pair();
    child.send({ supervise: 'conn', id: 3, offer: 4, deadline: Date.now() - 1 }, accepted, { keepOpen: true });
    expect(await next()).toEqual({ supervise: 'refused', id: 3, offer: 4, reason: 'late' });
  });
});
