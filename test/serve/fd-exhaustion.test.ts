// fd exhaustion: `supervise serve` under a lowered RLIMIT_NOFILE (ulimit -n 1024, as LimitNOFILE=1024 in systemd or
// docker) with more idle clients than its two workers can hold. Nothing accepted is dropped, the server stops
// accepting while descriptors run out and resumes when they come free, no worker crashes, and SIGTERM still ends
// it with exit 0 and removes the socket file.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { CLI, ECHO_WORKER, ROOT, useServeFixture, waitFor, waitForSocket, type CliProcess } from './helpers.js';

const IDLE_CLIENTS = path.join(ROOT, 'test/fixtures/serve-idle-clients.cjs');
const LIMIT = 1024;
const CLIENTS = 3000;

const f = useServeFixture();

interface Status {
  served: number;
  failed: number;
  errors: Record<string, number>;
  waiting: number;
}

/** The CLI in a shell that lowers its fd limit first; the workers inherit it. */
function serveUnderLimit(socket: string): CliProcess {
  const command = `ulimit -n ${LIMIT} && exec "$0" "$@"`;
  const child = spawn('sh', ['-c', command, process.execPath, CLI, 'serve', ECHO_WORKER, '--socket', socket, '--workers', '2', '--queue-timeout', '120000'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  f.cli = { child, stdout: () => stdout, stderr: () => stderr, exited };
  return f.cli;
}

/** The pids of a process's children (the workers, and the socket keeper). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}

describe(`supervise serve under RLIMIT_NOFILE ${LIMIT}`, () => {
  it(`${CLIENTS} idle clients, more than 2 workers can hold: none dropped; accepting pauses and resumes; no crash; exit 0`, { timeout: 180_000 }, async () => {
    const socket = `${f.dir}/s.sock`;
    const cli = serveUnderLimit(socket);
    await waitForSocket(socket, 60_000);
    const serverPid = cli.child.pid!;
    expect(readFileSync(`/proc/${serverPid}/limits`, 'utf8')).toMatch(new RegExp(`Max open files\\s+${LIMIT}\\s`));
    const before = childrenOf(serverPid);

    const clients = spawn(process.execPath, [IDLE_CLIENTS, socket, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    f.defer(() => {
      if (clients.exitCode === null) clients.kill('SIGKILL');
    });
    // the client process may be gone by the time a command is written
    clients.stdin!.on('error', () => {});
    let status: Status = { served: 0, failed: 0, errors: {}, waiting: CLIENTS };
    readline.createInterface({ input: clients.stdout! }).on('line', (line) => (status = JSON.parse(line) as Status));

    // each worker can hold about LIMIT connections: the rest wait (held by the supervisor, or in the kernel's backlog)
    await waitFor('the workers to fill up', () => status.served + status.failed >= 1800, 60_000);
    let last = -1;
    await waitFor('the served count to settle', async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const settled = status.served === last;
      last = status.served;
      return settled;
    }, 60_000);
    console.log(`fd exhaustion, workers full: ${JSON.stringify(status)}`);
    expect(status.failed).toBe(0);
    expect(status.waiting).toBeGreaterThan(0);

    // clients hang up: descriptors come free in the workers, and every waiting connection is served
    clients.stdin!.write(`close ${CLIENTS - 1800}\n`);
    await waitFor('every client to be served', () => status.served === CLIENTS || status.failed > 0, 90_000);
    console.log(`fd exhaustion, after ${CLIENTS - 1800} hung up: ${JSON.stringify(status)}`);
    expect(status).toMatchObject({ served: CLIENTS, failed: 0, waiting: 0 });
    clients.stdin!.write('exit\n');

    const stderr = cli.stderr();
    // it stopped accepting while descriptors ran out, said so, and took connections again once they came free
    expect(stderr).toMatch(/stopped accepting: \d+ accepted connections wait for a worker and file descriptors are running out/);
    expect(stderr).toMatch(/accepting again after \d+ ms/);
    expect(stderr).not.toContain('closing a connection no worker took');
    expect(stderr).not.toMatch(/TypeError|uncaught|worker exited unexpectedly|crash/i);
    // the same workers: none crashed
    for (const pid of before) expect(childrenOf(serverPid)).toContain(pid);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
  });
});
