/*
 * `supervise/metrics`: a pool's figures in Prometheus text format, through
 * prom-client (an optional peer dependency: install it to use this module).
 *
 *   job:done ─────────► jobs_total{handler,outcome}, job_wait/run_seconds{handler}
 *   worker:exit ──────► worker_exits_total{cause}
 *   scrape ─► stats() ─► queue_depth, jobs_in_flight, workers{state}
 *          └► workerStats() (heartbeats) ─► worker_rss_bytes{worker}, worker_event_loop_delay_seconds{worker}
 *
 * Counters and histograms follow events from the moment they are attached;
 * gauges are read from the supervisor when the registry is scraped, so an
 * idle pool costs nothing between scrapes.
 */
import type { JobDoneEvent, WorkerExitEvent } from '../supervisor/events.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { WorkerState } from '../supervisor/worker-handle.js';
import { loadPromClient, type Registry } from './prom-client.js';

export { serveMetrics, type MetricsEndpoint } from './http.js';
export type { Registry };

const client = await loadPromClient();

/** A new, empty prom-client registry (the one prom-client this module uses). */
export function createRegistry(): Registry {
  return new client.Registry();
}

/** Adds prom-client's default Node.js metrics of this process (CPU, memory, event loop, GC) to `registry`. */
export function collectProcessMetrics(registry: Registry, prefix = 'supervise_'): void {
  client.collectDefaultMetrics({ register: registry, prefix });
}

export interface MetricsOptions {
  /** The registry to add the metrics to. @default prom-client's global `register` */
  registry?: Registry;
  /** Prefix of every metric name. @default 'supervise_' */
  prefix?: string;
  /** Extra labels on every metric, e.g. `{ pool: 'thumbnails' }` when an app runs several supervisors. */
  labels?: Record<string, string>;
  /** Histogram buckets for wait and run times, seconds. @default 1 ms to 60 s */
  buckets?: number[];
}

export interface SupervisorMetrics {
  /** The registry the metrics were added to; `await registry.metrics()` is the Prometheus text. */
  readonly registry: Registry;
  /** Stops following the supervisor's events and removes the metrics from the registry. */
  remove(): void;
}

const WORKER_STATES: readonly WorkerState[] = ['starting', 'ready', 'draining', 'stopping'];
const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Adds a supervisor's metrics to a prom-client registry: jobs done and failed by handler, wait and run time
 * histograms, worker exits by cause, workers by state, queue depth, jobs in flight, and each worker's RSS and
 * event-loop delay from its heartbeats.
 */
export function collectMetrics(sup: Supervisor, options: MetricsOptions = {}): SupervisorMetrics {
  const registry = options.registry ?? client.register;
  const prefix = options.prefix ?? 'supervise_';
  const labels = options.labels ?? {};
  const names = Object.keys(labels);
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const registers = [registry];

  const jobs = new client.Counter({ name: `${prefix}jobs_total`, help: 'Jobs settled, by handler and outcome (done or failed).', labelNames: [...names, 'handler', 'outcome'], registers });
  const wait = new client.Histogram({ name: `${prefix}job_wait_seconds`, help: 'Time from submission to dispatch of the attempt that settled the job.', labelNames: [...names, 'handler'], buckets, registers });
  const run = new client.Histogram({ name: `${prefix}job_run_seconds`, help: 'Time from dispatch to the answer.', labelNames: [...names, 'handler'], buckets, registers });
  const exits = new client.Counter({ name: `${prefix}worker_exits_total`, help: 'Worker exits by cause (ordered, crash, boot-error, killed-while-starting, spawn-failed); each is followed by a replacement while the pool runs.', labelNames: [...names, 'cause'], registers });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: { set(labels: Record<string, string>, value: number): void; reset(): void }) => void) =>
    new client.Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: [...names, ...labelNames],
      registers,
      collect() {
        collect(this);
      },
    });
  const workersByState = gauge('workers', 'Live worker processes by state.', ['state'], (g) => {
    const counts = new Map<WorkerState, number>(WORKER_STATES.map((state) => [state, 0]));
    for (const worker of sup.workerStats()) counts.set(worker.state, (counts.get(worker.state) ?? 0) + 1);
    for (const [state, count] of counts) g.set({ ...labels, state }, count);
  });
  const queue = gauge('queue_depth', 'Jobs waiting for a worker.', [], (g) => g.set(labels, sup.stats().queued));
  const inFlight = gauge('jobs_in_flight', 'Jobs running on a worker.', [], (g) => g.set(labels, sup.stats().inFlight));
  // per worker, as its last heartbeat reported; workers that are gone disappear from the output
  const rss = gauge('worker_rss_bytes', 'Resident set size of each worker, from its last heartbeat.', ['worker'], (g) => {
    g.reset();
    for (const worker of sup.workerStats()) if (worker.rss > 0) g.set({ ...labels, worker: String(worker.workerId) }, worker.rss);
  });
  const loopDelay = gauge('worker_event_loop_delay_seconds', 'Mean event-loop delay of each worker over its last heartbeat interval.', ['worker'], (g) => {
    g.reset();
    for (const worker of sup.workerStats()) if (worker.rss > 0) g.set({ ...labels, worker: String(worker.workerId) }, worker.loopDelay / 1000);
  });

  const onDone = (event: JobDoneEvent) => {
    const handler = { ...labels, handler: event.name };
    jobs.inc({ ...handler, outcome: event.ok ? 'done' : 'failed' });
    if (event.waitMs !== undefined) wait.observe(handler, event.waitMs / 1000);
    if (event.runMs !== undefined && event.workerId !== undefined) run.observe(handler, event.runMs / 1000);
  };
  const onExit = (event: WorkerExitEvent) => exits.inc({ ...labels, cause: event.cause });
  sup.on('job:done', onDone);
  sup.on('worker:exit', onExit);

  const metrics = [jobs, wait, run, exits, workersByState, queue, inFlight, rss, loopDelay];
  return {
    registry,
    remove() {
      sup.off('job:done', onDone);
      sup.off('worker:exit', onExit);
      for (const metric of metrics) registry.removeSingleMetric((metric as unknown as { name: string }).name);
    },
  };
}
