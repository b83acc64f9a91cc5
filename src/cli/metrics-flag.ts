/*
 * `--metrics <port|path>` for the host-side commands (`serve`, `work`): the
 * pool's Prometheus metrics, and the process's own, at GET /metrics on a
 * loopback port or a Unix socket. prom-client is loaded only when asked for.
 */
import type { MetricsEndpoint } from '../metrics/http.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { UsageError } from './usage-error.js';

export const METRICS_HELP = '  --metrics <port|path>    serve Prometheus metrics at GET /metrics on 127.0.0.1:<port> or a Unix socket';

/** A number is a loopback port; anything else names a Unix socket. */
export function metricsTarget(value: string | boolean | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError('--metrics expects a port or a socket path');
  if (!/^\d+$/.test(value)) return value;
  const port = Number(value);
  if (port < 1 || port > 65535) throw new UsageError(`--metrics expects a port from 1 to 65535 or a socket path, got '${value}'`);
  return port;
}

/** Starts the endpoint; a missing prom-client or a target that cannot be listened on is a UsageError (exit 2). */
export async function startMetrics(supervisor: Supervisor, target: number | string): Promise<MetricsEndpoint> {
  try {
    const metrics = await import('../metrics/index.js');
    const registry = metrics.createRegistry();
    metrics.collectMetrics(supervisor, { registry });
    metrics.collectProcessMetrics(registry);
    return await metrics.serveMetrics(registry, target);
  } catch (error) {
    const missing = (error as { code?: unknown })?.code === 'ERR_MISSING_PEER';
    const message = (error as Error)?.message ?? String(error);
    throw new UsageError(missing ? message : `cannot serve metrics on ${target}: ${message.split('\n')[0]}`);
  }
}

/** The line a host logs once the endpoint listens. */
export function describeMetrics(endpoint: MetricsEndpoint, target: number | string): string {
  return typeof target === 'number' ? `metrics: http://${endpoint.address}/metrics` : `metrics: GET /metrics on the Unix socket ${endpoint.address}`;
}
