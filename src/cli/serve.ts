/*
 * `supervise serve <worker-module> --socket <path>`: a named Unix socket whose
 * connections are passed (by file descriptor) to a pool of workers running
 * the module's `connection(socket, ctx)` export.
 *
 *   SIGHUP           rolling reload: workers replaced one by one, no connection refused
 *   SIGTERM/SIGINT   stop accepting, remove the socket, let open connections finish
 *                    (up to --grace ms), close the rest, stop the workers; exit 0
 *   a second one     kill the workers now; exit 1
 *
 * Exit codes: 0 stopped by a signal, 2 usage or socket-path error (one line on
 * stderr), 3 the worker pool failed (module does not load, crash loop).
 */
import type { Logger } from 'pino';
import { OptionError, WorkerNotFoundError } from '../errors.js';
import { serve, type ServeOptions, type SocketServer } from '../serve/server.js';
import { formatMode, parseMode, SocketPathError } from '../serve/socket-path.js';
import { checkLogLevel, integerFlagOptions, parseFlags, readIntegerFlags } from './flags.js';
import { checkModuleFile } from './load-file.js';
import { createCliLogger } from './logger.js';
import type { MetricsEndpoint } from '../metrics/http.js';
import { describeMetrics, METRICS_HELP, metricsTarget, startMetrics } from './metrics-flag.js';
import type { LogLevel } from '../supervisor/log.js';
import { UsageError } from './usage-error.js';

export const SERVE_HELP = `Usage: supervise serve <worker-module> --socket <path> [options]

Listens on a named Unix socket and passes each client connection, unread, to a
worker process (its file descriptor travels over the worker's IPC channel); the
worker then talks to the client directly through the module's
\`connection(socket, ctx)\` export. Workers are supervised as in \`supervise run\`.

Options:
  --socket <path>          the socket to listen on (required); a stale socket file is replaced,
                           a live server or a file that is not a socket is refused
  --mode <octal>           permissions of the socket file (default: 0600; 0660 lets the group connect)
  --workers <n>            worker processes (default: number of CPUs)
  --grace <ms>             open connections get this long to finish on SIGTERM and reload (default: 30000)
  --handoff-timeout <ms>   a worker must take a connection within this, or it goes back to the head of the
                           queue for the next worker that can (default: 1000)
  --queue-timeout <ms>     an accepted connection waits at most this long for a worker to take it (default: 30000)
  --backlog <n>            connections the kernel queues before they are accepted (default: the kernel's
                           net.core.somaxconn)
  --max-restarts <n>       unexpected exits tolerated within --restart-window (default: 10)
  --restart-window <ms>    window for --max-restarts (default: 60000)
  --heartbeat-timeout <ms> kill a worker whose event loop is blocked this long (default: 10000)
${METRICS_HELP}
                           path (needs the prom-client package)
  --log-level <level>      trace, debug, info, warn, error, fatal or silent (default: info)
  -h, --help               show this help

Signals: SIGHUP reloads the workers one by one; SIGTERM or SIGINT shuts down gracefully.
Exit codes: 0 stopped by a signal, 2 usage or socket error, 3 the worker pool failed.
`;

const INTEGER_FLAGS = {
  workers: 1,
  grace: 0,
  'handoff-timeout': 1,
  'queue-timeout': 0,
  backlog: 1,
  'max-restarts': 0,
  'restart-window': 1,
  'heartbeat-timeout': 1,
} as const;


interface ServeCommand {
  help: boolean;
  options?: ServeOptions;
  /** --metrics: a TCP port on loopback, or a socket path. */
  metrics?: number | string;
  logLevel: LogLevel;
}

/** Parses `serve`'s arguments (after the word serve); throws UsageError with a one-line message. */
export function parseServeArgs(argv: string[]): ServeCommand {
  const parsed = parseFlags(argv, {
    ...integerFlagOptions(INTEGER_FLAGS),
    socket: { type: 'string' },
    mode: { type: 'string' },
    metrics: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const { values, positionals } = parsed;
  if (values.help) return { help: true, logLevel: 'info' };
  const logLevel = checkLogLevel(String(values['log-level']));
  const [worker, ...extra] = positionals;
  if (!worker) throw new UsageError("'supervise serve' needs a worker module: supervise serve <worker-module> --socket <path>");
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (typeof values.socket !== 'string' || values.socket === '') throw new UsageError('--socket <path> is required: the Unix socket to listen on');
  const options: ServeOptions = { worker, socket: values.socket };
  if (typeof values.mode === 'string') {
    const mode = parseMode(values.mode);
    if (mode === undefined || mode > 0o777 || (mode & 0o600) !== 0o600) {
      throw new UsageError(`--mode expects octal permissions from 0600 to 0777 that include 0600 (owner read and write), got '${values.mode}'`);
    }
    options.mode = mode;
  }
  readIntegerFlags(values, INTEGER_FLAGS, options);
  return { help: false, options, logLevel, metrics: metricsTarget(values.metrics) };
}


function oneLine(message: string): string {
  return message.split('\n')[0];
}

/** Runs `supervise serve`; resolves with the exit code once the server has stopped. */
export async function serveCommand(argv: string[], stderr: NodeJS.WritableStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  let command: ServeCommand;
  let log: Logger;
  let server: SocketServer;
  let metricsEndpoint: MetricsEndpoint | undefined;
  // Signals that arrive while the server starts (the socket may already listen while the workers load): without a
  // handler, Node's default would end the process at once. A stop is remembered and carried out once started; a
  // reload then is moot.
  let earlyStop: NodeJS.Signals | undefined;
  const onEarlyStop = (signal: NodeJS.Signals) => {
    earlyStop ??= signal;
  };
  const onEarlyHup = () => {};
  try {
    command = parseServeArgs(argv);
    if (command.help) {
      stdout.write(SERVE_HELP);
      return 0;
    }
    const options = command.options!;
    options.worker = await checkModuleFile(String(options.worker));
    log = createCliLogger(command.logLevel);
    options.logger = log;
    process.on('SIGTERM', onEarlyStop);
    process.on('SIGINT', onEarlyStop);
    process.on('SIGHUP', onEarlyHup);
    server = await serve(options);
    if (command.metrics !== undefined) {
      try {
        metricsEndpoint = await startMetrics(server.supervisor, command.metrics);
      } catch (error) {
        await server.close({ grace: 0 });
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SocketPathError || error instanceof OptionError || error instanceof WorkerNotFoundError) {
      stderr.write(`supervise serve: ${oneLine(error.message)}\n`);
      return 2;
    }
    const message = (error as Error)?.message ?? String(error);
    if ((error as { code?: unknown })?.code === 'ERR_WORKER_BOOT' || (error as { code?: unknown })?.code === 'ERR_CRASH_LOOP') {
      stderr.write(`supervise serve: ${message}\n`);
      return 3;
    }
    stderr.write(`supervise serve: ${oneLine(message)}\n`);
    return 1;
  } finally {
    process.off('SIGTERM', onEarlyStop);
    process.off('SIGINT', onEarlyStop);
    process.off('SIGHUP', onEarlyHup);
  }

  const { path: socketPath, mode } = server.address();
  log.info(`listening on ${socketPath} (mode ${formatMode(mode)}); SIGHUP reloads, SIGTERM stops`);
  if (metricsEndpoint) log.info(describeMetrics(metricsEndpoint, command.metrics!));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const cleanup = () => {
      void metricsEndpoint?.close();
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    };
    const onHup = () => {
      if (stopping) return;
      log.info('SIGHUP: reloading workers one by one');
      server.reload().then(
        () => log.info('reload done'),
        (error: unknown) => log.error({ err: error }, 'reload failed'),
      );
    };
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`second ${signal}: killing the workers`);
        void server.supervisor.destroy().finally(() => resolve(1));
        return;
      }
      stopping = true;
      log.info(`${signal}: no new connections; open ones get up to the grace period to finish`);
      server.close().then(
        () => {
          cleanup();
          resolve(0);
        },
        (error: unknown) => {
          cleanup();
          log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    server.on('failed', (error) => {
      stopping = true;
      cleanup();
      stderr.write(`supervise serve: ${error.message}\n`);
      void server.close({ grace: 0 }).finally(() => resolve(3));
    });
    // a stop asked for while the server was starting is carried out now that it has
    if (earlyStop) onStop(earlyStop);
  });
}
