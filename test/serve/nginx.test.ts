// A real nginx (Debian's, with its stream module) in front of `supervise serve`: TCP on loopback → proxy_pass unix:<socket>.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ECHO_WORKER, findProgram, freePort, LINE_WORKER, LineClient, useServeFixture, waitFor } from './helpers.js';

let nginx: ChildProcess | undefined;
let nginxLog = '';

const f = useServeFixture();

/** Stops the nginx started by the test (before the fixture closes the server behind it). */
async function stopNginx(): Promise<void> {
  if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
    const exited = new Promise((resolve) => nginx!.once('exit', resolve));
    nginx.kill('SIGTERM');
    await exited;
  }
  nginx = undefined;
}

/** The stream module's load_module line: Debian builds it as a dynamic module (package libnginx-mod-stream). */
function streamModule(binary: string): string {
  const configure = spawnSync(binary, ['-V'], { encoding: 'utf8' }).stderr;
  if (/--with-stream(?:\s|$)/.test(configure)) return '';
  if (!/--with-stream=dynamic/.test(configure)) throw new Error('this nginx was built without the stream module');
  const modules = /--modules-path=(\S+)/.exec(configure)?.[1] ?? '/usr/lib/nginx/modules';
  const file = path.join(modules, 'ngx_stream_module.so');
  if (!existsSync(file)) throw new Error(`${file} is missing; apt-get install libnginx-mod-stream (.ci/run installs it)`);
  return `load_module ${file};`;
}

/** Starts nginx in the foreground with its own prefix and config; resolves once it accepts on the port. */
async function startNginx(socket: string): Promise<number> {
  const binary = findProgram('nginx', 'apt-get install nginx libnginx-mod-stream (.ci/run installs them)');
  const port = await freePort();
  const conf = path.join(f.dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${streamModule(binary)}
# nginx's workers run as root here only so that they may connect to the 0600 socket the test (root) owns;
# in production the socket is 0660 with nginx's group (see the README)
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
master_process on;
pid ${f.dir}/nginx.pid;
error_log ${f.dir}/error.log info;
events { worker_connections 512; }
stream {
  upstream supervise {
    server unix:${socket};
  }
  server {
    listen 127.0.0.1:${port};
    proxy_pass supervise;
    proxy_connect_timeout 5s;
  }
}
`,
  );
  f.defer(stopNginx);
  nginx = spawn(binary, ['-p', f.dir, '-c', conf, '-e', `${f.dir}/error.log`], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr!.setEncoding('utf8').on('data', (text: string) => (nginxLog += text));
  const exited = new Promise<void>((resolve) => nginx!.once('exit', () => resolve()));
  await Promise.race([
    waitFor(`nginx on 127.0.0.1:${port}`, () =>
      LineClient.connect({ port, host: '127.0.0.1' }).then(
        (client) => {
          client.socket.destroy();
          return true;
        },
        () => false,
      ),
    ),
    exited.then(() => {
      const log = existsSync(`${f.dir}/error.log`) ? readFileSync(`${f.dir}/error.log`, 'utf8') : '';
      throw new Error(`nginx exited: ${nginxLog}\n${log}`);
    }),
  ]);
  return port;
}

describe('nginx stream proxy in front of supervise serve', () => {
  it('echoes a TCP client through nginx → unix socket → worker', async () => {
    const socket = `${f.dir}/echo.sock`;
    const server = await f.serve({ worker: ECHO_WORKER, workers: 2, socket });
    const port = await startNginx(socket);
    const before = server.stats().handedOff;

    const clients = await Promise.all(Array.from({ length: 10 }, () => LineClient.connect({ port, host: '127.0.0.1' })));
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < 5; i++) expect(await client.request(`client ${c} message ${i}`)).toBe(`client ${c} message ${i}`);
        await client.end();
      }),
    );
    // every TCP connection became an upstream connection handed to a worker (nginx's readiness probe may add one)
    await waitFor('the handoffs', () => server.stats().handedOff - before >= 10);
    expect(server.stats().workers.every((w) => w.served > 0)).toBe(true);
  });

  it('serves each nginx connection from a worker process, spread over the pool', async () => {
    const socket = `${f.dir}/line.sock`;
    const server = await f.serve({ worker: LINE_WORKER, workers: 2, socket });
    const port = await startNginx(socket);
    const workerPids = new Set(server.stats().workers.map((w) => w.pid));
    const clients = await Promise.all(Array.from({ length: 4 }, () => LineClient.connect({ port, host: '127.0.0.1' })));
    const pids = await Promise.all(clients.map((c) => c.pid()));
    for (const pid of pids) expect(workerPids.has(pid)).toBe(true);
    expect(new Set(pids).size).toBe(2);
    await Promise.all(clients.map((c) => c.end()));
  });
});
