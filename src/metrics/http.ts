// A minimal HTTP endpoint for a registry: GET /metrics on a TCP port (loopback unless a host is given) or a Unix
// socket path, for `supervise serve --metrics` and for apps that have no HTTP server of their own.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { lstat, unlink } from 'node:fs/promises';
import { probeSocket } from '../serve/socket-path.js';

export interface MetricsEndpoint {
  /** Where it listens: `127.0.0.1:9100` or the socket path. */
  readonly address: string;
  close(): Promise<void>;
}

/** Serves `registry` at /metrics on `target`: a port number (bound to `host`, 127.0.0.1 by default) or a socket path. */
export async function serveMetrics(registry: Registry, target: number | string, host = '127.0.0.1'): Promise<MetricsEndpoint> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error)?.message ?? String(error)}\n`),
    );
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (typeof target === 'number') server.listen(target, host, resolve);
      else server.listen(target, resolve);
    });
  try {
    await listen();
  } catch (error) {
    if (typeof target === 'number' || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !(await removeStaleSocket(target))) throw error;
    await listen();
  }
  const bound = server.address();
  const address = typeof bound === 'string' || bound === null ? String(target) : `${bound.address}:${bound.port}`;
  return {
    address,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A socket file left by a process that died (SIGKILL, OOM) makes listen() fail with EADDRINUSE, so the
 * endpoint could not come back after a restart. A socket nobody answers on is removed; anything else stays.
 */
async function removeStaleSocket(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => undefined);
  if (!info?.isSocket() || (await probeSocket(file)) !== 'stale') return false;
  await unlink(file).catch(() => undefined);
  return true;
}
