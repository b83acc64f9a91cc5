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
import { OptionError } from '../errors.js';
import { loadPromClient, type PromClient, type Registry } from './prom-client.js';

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

/** Labels the metrics set themselves; a constant label of the same name would clash with them. */
const OWN_LABELS = ['handler', 'outcome', 'cause', 'state', 'worker', 'le', 'quantile'];

/**
 * The options, checked here with one OptionError naming what is wrong: prom-client's own errors ('Invalid
 * label name') say neither which name nor why, and come from deep inside this module.
 */
function checkMetricsOptions(options: MetricsOptions): void {
  const { prefix, labels, buckets } = options;
  if (prefix !== undefined && (typeof prefix !== 'string' || !/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix))) {
    throw new OptionError(`collectMetrics: \`prefix\` must be letters, digits, _ and : (not starting with a digit), got ${JSON.stringify(prefix)}`);
  }
  if (labels !== undefined && (labels === null || typeof labels !== 'object')) throw new OptionError('collectMetrics: `labels` must be an object of label names to string values');
  for (const [name, value] of Object.entries(labels ?? {})) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__')) {
      throw new OptionError(`collectMetrics: label name ${JSON.stringify(name)} is not a Prometheus label name (letters, digits and _, not starting with a digit or __)`);
    }
    if (OWN_LABELS.includes(name)) throw new OptionError(`collectMetrics: label name '${name}' is one the metrics set themselves; choose another`);
    if (typeof value !== 'string') throw new OptionError(`collectMetrics: the value of label '${name}' must be a string, got ${typeof value}`);
  }
  if (buckets !== undefined && (!Array.isArray(buckets) || buckets.length === 0 || buckets.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)))) {
    throw new OptionError('collectMetrics: `buckets` must be a non-empty array of finite numbers in increasing order (seconds)');
  }
}

/** One supervisor a family of metrics reports on, with its constant labels. */
interface Source {
  sup: Supervisor;
  labels: Record<string, string>;
}

/** The metrics of one registry and prefix, shared by every supervisor added to them. */
interface Family {
  labelNames: string[];
  sources: Set<Source>;
  jobs: InstanceType<PromClient['Counter']>;
  wait: InstanceType<PromClient['Histogram']>;
  run: InstanceType<PromClient['Histogram']>;
  exits: InstanceType<PromClient['Counter']>;
  names: string[];
}

const families = new WeakMap<Registry, Map<string, Family>>();

/**
 * Creates the metrics of a registry and prefix. A registry refuses a second metric of the same name, so
 * supervisors told apart by their labels (`{ pool }`) share these, and the gauges read every one of them.
 */
function createFamily(registry: Registry, prefix: string, labelNames: string[], buckets: number[]): Family {
  const registers = [registry];
  const sources = new Set<Source>();
  const jobs = new client.Counter({ name: `${prefix}jobs_total`, help: 'Jobs settled, by handler and outcome (done or failed).', labelNames: [...labelNames, 'handler', 'outcome'], registers });
  const wait = new client.Histogram({ name: `${prefix}job_wait_seconds`, help: 'Time from submission to dispatch of the attempt that settled the job.', labelNames: [...labelNames, 'handler'], buckets, registers });
  const run = new client.Histogram({ name: `${prefix}job_run_seconds`, help: 'Time from dispatch to the answer.', labelNames: [...labelNames, 'handler'], buckets, registers });
  const exits = new client.Counter({ name: `${prefix}worker_exits_total`, help: 'Worker exits by cause (ordered, crash, boot-error, killed-while-starting, spawn-failed); each is followed by a replacement while the pool runs.', labelNames: [...labelNames, 'cause'], registers });
  type Settable = { set(labels: Record<string, string>, value: number): void };
  // read at scrape time from every supervisor in the family; series of one removed since are gone
  const gauge = (name: string, help: string, extra: string[], collect: (g: Settable, source: Source) => void) =>
    new client.Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: [...labelNames, ...extra],
      registers,
      collect() {
        this.reset();
        for (const source of sources) collect(this, source);
      },
    });
  gauge('workers', 'Live worker processes by state.', ['state'], (g, { sup, labels }) => {
    const counts = new Map<WorkerState, number>(WORKER_STATES.map((state) => [state, 0]));
    for (const worker of sup.workerStats()) counts.set(worker.state, (counts.get(worker.state) ?? 0) + 1);
    for (const [state, count] of counts) g.set({ ...labels, state }, count);
  });
  gauge('queue_depth', 'Jobs waiting for a worker.', [], (g, { sup, labels }) => g.set(labels, sup.stats().queued));
  gauge('jobs_in_flight', 'Jobs running on a worker.', [], (g, { sup, labels }) => g.set(labels, sup.stats().inFlight));
  // per worker, as its last heartbeat reported; workers that are gone disappear from the output
  gauge('worker_rss_bytes', 'Resident set size of each worker, from its last heartbeat.', ['worker'], (g, { sup, labels }) => {
    for (const worker of sup.workerStats()) if (worker.rss > 0) g.set({ ...labels, worker: String(worker.workerId) }, worker.rss);
  });
  gauge('worker_event_loop_delay_seconds', 'Mean event-loop delay of each worker over its last heartbeat interval.', ['worker'], (g, { sup, labels }) => {
    for (const worker of sup.workerStats()) if (worker.rss > 0) g.set({ ...labels, worker: String(worker.workerId) }, worker.loopDelay / 1000);
  });
  const names = ['jobs_total', 'job_wait_seconds', 'job_run_seconds', 'worker_exits_total', 'workers', 'queue_depth', 'jobs_in_flight', 'worker_rss_bytes', 'worker_event_loop_delay_seconds'];
  return { labelNames, sources, jobs, wait, run, exits, names: names.map((name) => `${prefix}${name}`) };
}

/**
 * Adds a supervisor's metrics to a prom-client registry: jobs done and failed by handler, wait and run time
 * histograms, worker exits by cause, workers by state, queue depth, jobs in flight, and each worker's RSS and
 * event-loop delay from its heartbeats. Several supervisors in one registry are told apart by `labels`.
 */
export function collectMetrics(sup: Supervisor, options: MetricsOptions = {}): SupervisorMetrics {
  checkMetricsOptions(options);
  const registry = options.registry ?? client.register;
  const prefix = options.prefix ?? 'supervise_';
  const labels = options.labels ?? {};
  const labelNames = Object.keys(labels).sort();
  let byPrefix = families.get(registry);
  if (!byPrefix) families.set(registry, (byPrefix = new Map()));
  let family = byPrefix.get(prefix);
  if (family && family.labelNames.join() !== labelNames.join()) {
    throw new OptionError(
      `collectMetrics: the ${prefix}* metrics of this registry have the labels {${family.labelNames.join(', ')}}, not {${labelNames.join(', ')}}; give every supervisor the same label names with different values, or another prefix`,
    );
  }
  if (!family) byPrefix.set(prefix, (family = createFamily(registry, prefix, labelNames, options.buckets ?? DEFAULT_BUCKETS)));
  // two sources with the same label values would count into the same series, each job twice
  const key = JSON.stringify(labelNames.map((name) => labels[name]));
  if ([...family.sources].some((other) => JSON.stringify(labelNames.map((name) => other.labels[name])) === key)) {
    throw new OptionError(`collectMetrics: a supervisor with the labels ${JSON.stringify(labels)} is in this registry already; give each one different label values`);
  }
  const source: Source = { sup, labels };
  family.sources.add(source);
  const { jobs, wait, run, exits } = family;

  // the series this supervisor wrote, to take out of shared metrics when it is removed
  const series = new Map<string, { metrics: Array<{ remove(labels: Record<string, string>): void }>; labels: Record<string, string> }>();
  const wrote = (metrics: Array<{ remove(labels: Record<string, string>): void }>, values: Record<string, string>) => {
    const key = `${metrics.length}:${JSON.stringify(values)}`;
    if (!series.has(key)) series.set(key, { metrics, labels: values });
  };
  const onDone = (event: JobDoneEvent) => {
    const handler = { ...labels, handler: event.name };
    const outcome = { ...handler, outcome: event.ok ? 'done' : 'failed' };
    jobs.inc(outcome);
    wrote([jobs], outcome);
    wrote([wait, run], handler);
    if (event.waitMs !== undefined) wait.observe(handler, event.waitMs / 1000);
    if (event.runMs !== undefined && event.workerId !== undefined) run.observe(handler, event.runMs / 1000);
  };
  const onExit = (event: WorkerExitEvent) => {
    const cause = { ...labels, cause: event.cause };
    exits.inc(cause);
    wrote([exits], cause);
  };
  sup.on('job:done', onDone);
  sup.on('worker:exit', onExit);

  return {
    registry,
    remove() {
      sup.off('job:done', onDone);
      sup.off('worker:exit', onExit);
      if (!family.sources.delete(source)) return;
      if (family.sources.size > 0) {
        // the others go on: only this supervisor's series go (the gauges stop reading it by themselves)
        for (const { metrics, labels: values } of series.values()) for (const metric of metrics) metric.remove(values);
        return;
      }
      for (const name of family.names) registry.removeSingleMetric(name);
      byPrefix.delete(prefix);
    },
  };
}
