/*
 * `supervise work <worker-module> --queue <name>`: one host of a BullMQ queue.
 * It fetches as many jobs as its pool can run at once and runs them on the
 * module's handlers (the job's name picks the handler).
 *
 *   SIGHUP           rolling reload of the workers
 *   SIGTTIN/SIGTTOU  one worker more / less; BullMQ's concurrency follows
 *   SIGTERM/SIGINT   stop fetching, let running jobs finish (up to --drain-timeout ms),
 *                    hand the rest back to the queue; exit 0
 *   a second one     kill the workers now; exit 1
 *
 * Exit codes: 0 stopped by a signal, 2 usage error or bullmq missing (one line on
 * stderr), 3 the worker pool failed (module does not load, crash loop): its jobs
 * went back to the queue, and a service manager should restart the host.
 */
import type { Logger } from 'pino';
import { createQueueWorker, type QueueWorker } from '../bullmq/queue-worker.js';
import { loadBullmq } from '../bullmq/load-bullmq.js';
import type { QueueWorkerOptions } from '../bullmq/options.js';
import type { MetricsEndpoint } from '../metrics/http.js';
import { OptionError } from '../errors.js';
import type { LogLevel } from '../supervisor/log.js';
import { checkLogLevel, integerFlagOptions, parseFlags, readIntegerFlags } from './flags.js';
import { checkModuleFile } from './load-file.js';
import { describeMetrics, METRICS_HELP, metricsTarget, startMetrics } from './metrics-flag.js';
import { createCliLogger } from './logger.js';
import { UsageError } from './usage-error.js';

export const WORK_HELP = `Usage: supervise work <worker-module> --queue <name> [options]

Runs the jobs of a BullMQ queue on a pool of worker processes: one such host
per machine, all sharing one Redis. A job's name picks the module's handler
(the default export when no export has that name); job.data is the payload.
Retries are BullMQ's (the job's attempts and backoff); the pool never retries.
Needs the packages bullmq and ioredis: npm install bullmq ioredis

Options:
  --queue <name>             the BullMQ queue (required)
  --redis <url>              redis://[user:password@]host[:port][/db] (default: redis://127.0.0.1:6379)
  --prefix <prefix>          BullMQ key prefix (default: bull)
  --workers <n>              worker processes (default: number of CPUs)
  --per-worker <n>           jobs in flight per worker (default: 1); BullMQ fetches workers × per-worker
  --timeout <ms>             per-job time limit; a timeout fails the attempt (default: none)
  --drain-timeout <ms>       on SIGTERM, running jobs get this long; the rest go back to the queue (default: 30000)
  --kill-grace <ms>          a timed-out or cancelled handler gets this long before its worker is killed (default: 1000)
  --max-restarts <n>         crashes no job is to blame for, tolerated within --restart-window (default: 10)
  --restart-window <ms>      window for --max-restarts (default: 60000)
  --heartbeat-timeout <ms>   kill a worker whose event loop is blocked this long (default: 10000)
  --max-jobs-per-worker <n>  recycle a worker after about n jobs
  --max-memory <bytes>       recycle a worker whose RSS exceeds this
  --lock-duration <ms>       BullMQ job lock; a dead host's jobs return after about this long (default: 30000)
  --stalled-interval <ms>    how often BullMQ looks for jobs whose lock expired (default: 30000)
  --max-stalled-count <n>    times a job may lose its host before it fails (default: 1)
  --log-level <level>        trace, debug, info, warn, error, fatal or silent (default: info)
${METRICS_HELP}
  -h, --help                 show this help

Signals: SIGHUP reloads the workers one by one; SIGTTIN/SIGTTOU add/remove a worker;
SIGTERM or SIGINT stop fetching, finish running jobs and hand the rest back.
Exit codes: 0 stopped by a signal, 2 usage error, 3 the worker pool failed.
`;

const INTEGER_FLAGS = {
  workers: 1,
  'per-worker': 1,
  timeout: 0,
  'drain-timeout': 0,
  'kill-grace': 0,
  'max-restarts': 0,
  'restart-window': 1,
  'heartbeat-timeout': 1,
  'max-jobs-per-worker': 1,
  'max-memory': 1,
} as const;

/** Flags that go to BullMQ's Worker rather than to the pool. */
const BULLMQ_FLAGS = { 'lock-duration': 1000, 'stalled-interval': 100, 'max-stalled-count': 0 } as const;

interface WorkCommand {
  help: boolean;
  queue?: string;
  options?: QueueWorkerOptions;
  logLevel: LogLevel;
  /** --metrics: a TCP port on loopback, or a socket path. */
  metrics?: number | string;
}

/** Parses `work`'s arguments (after the word work); throws UsageError with a one-line message. */
export function parseWorkArgs(argv: string[]): WorkCommand {
  const { values, positionals } = parseFlags(argv, {
    ...integerFlagOptions(INTEGER_FLAGS),
    ...integerFlagOptions(BULLMQ_FLAGS),
    queue: { type: 'string' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    prefix: { type: 'string' },
    metrics: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { help: true, logLevel: 'info' };
  const logLevel = checkLogLevel(String(values['log-level']));
  const [worker, ...extra] = positionals;
  if (!worker) throw new UsageError("'supervise work' needs a worker module: supervise work <worker-module> --queue <name>");
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (typeof values.queue !== 'string' || values.queue === '') throw new UsageError('--queue <name> is required: the BullMQ queue to take jobs from');
  const redis = String(values.redis);
  if (!/^rediss?:\/\//.test(redis)) throw new UsageError(`--redis expects a redis:// URL, got '${redis}'`);
  const options: QueueWorkerOptions = { worker, connection: redis };
  readIntegerFlags(values, INTEGER_FLAGS, options);
  const bullmq: Record<string, unknown> = {};
  readIntegerFlags(values, BULLMQ_FLAGS, bullmq);
  if (typeof values.prefix === 'string') bullmq.prefix = values.prefix;
  options.bullmq = bullmq;
  return { help: false, queue: values.queue, options, logLevel, metrics: metricsTarget(values.metrics) };
}

function oneLine(message: string): string {
  return message.split('\n')[0];
}

const BOOT_CODES = new Set(['ERR_WORKER_BOOT', 'ERR_CRASH_LOOP', 'ERR_UNSAFE_CACHE_DIR']);

/** Runs `supervise work`; resolves with the exit code once the host has stopped. */
export async function workCommand(argv: string[], stderr: NodeJS.WritableStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  let command: WorkCommand;
  let log: Logger;
  let qw: QueueWorker;
  let metricsEndpoint: MetricsEndpoint | undefined;
  try {
    command = parseWorkArgs(argv);
    if (command.help) {
      stdout.write(WORK_HELP);
      return 0;
    }
    const options = command.options!;
    options.worker = await checkModuleFile(String(options.worker));
    await loadBullmq(); // a missing peer dependency is a setup error (2), said before any worker starts
    log = createCliLogger(command.logLevel);
    options.logger = log;
    qw = createQueueWorker(command.queue!, options);
    if (command.metrics !== undefined) {
      try {
        metricsEndpoint = await startMetrics(qw.supervisor, command.metrics);
      } catch (error) {
        await qw.close({ timeout: 0 });
        throw error;
      }
      log.info(describeMetrics(metricsEndpoint, command.metrics));
    }
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (error instanceof UsageError || error instanceof OptionError || code === 'ERR_MISSING_PEER') {
      stderr.write(`supervise work: ${oneLine((error as Error).message)}\n`);
      return 2;
    }
    stderr.write(`supervise work: ${oneLine((error as Error)?.message ?? String(error))}\n`);
    return 1;
  }
  const code = await superviseHost(qw, log, stderr);
  await metricsEndpoint?.close();
  exitSoon();
  return code;
}

/** ms the process gets to end by itself once the host has stopped. */
const EXIT_GRACE = 2_000;

/**
 * The host has stopped, but connections BullMQ could not close (Redis away or not answering) keep retrying and
 * would keep the process alive: a stopped host must exit. The timer is unref'd, so a clean exit is not delayed.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(), EXIT_GRACE).unref();
}

/** Signals in, exit code out: the host's life after a successful start. */
function superviseHost(qw: QueueWorker, log: Logger, stderr: NodeJS.WritableStream): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    let size = qw.supervisor.options.workers;
    const cleanup = () => {
      process.off('SIGHUP', onHup);
      process.off('SIGTTIN', onTtin);
      process.off('SIGTTOU', onTtou);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    };
    const onHup = () => {
      if (stopping) return;
      log.info('SIGHUP: reloading workers one by one');
      qw.reload().then(
        () => log.info('reload done'),
        (error: unknown) => log.error({ err: error }, 'reload failed'),
      );
    };
    const onTtin = () => !stopping && qw.resize(++size);
    const onTtou = () => !stopping && qw.resize((size = Math.max(1, size - 1)));
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`second ${signal}: killing the workers`);
        void qw.supervisor.destroy().finally(() => resolve(1));
        return;
      }
      stopping = true;
      log.info(`${signal}: no more jobs fetched; running ones get up to the drain timeout, the rest go back to the queue`);
      qw.close().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    const onFailed = (error: Error) => {
      if (stopping) return;
      stopping = true;
      cleanup();
      stderr.write(`supervise work: ${error.message}\n`);
      void qw.close({ timeout: 0 }).finally(() => resolve(3));
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTTIN', onTtin);
    process.on('SIGTTOU', onTtou);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    qw.on('failed', onFailed);
    qw.ready().then(
      () => log.info(`queue ${qw.queue}: ready; SIGHUP reloads, SIGTTIN/SIGTTOU resize, SIGTERM drains`),
      (error: Error) => {
        const code = (error as { code?: unknown })?.code;
        if (typeof code === 'string' && BOOT_CODES.has(code)) onFailed(error);
        else if (!stopping) {
          stopping = true;
          cleanup();
          stderr.write(`supervise work: ${oneLine(error.message)}\n`);
          // a setting Redis refused (a database it does not have) is the caller's to fix: a usage error
          void qw.close({ timeout: 0 }).finally(() => resolve(error instanceof OptionError ? 2 : 1));
        }
      },
    );
  });
}
