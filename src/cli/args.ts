// Command-line flags of `supervise run`: parsing, help text, and conversion to supervisor options.
import { checkLogLevel, closestFlag, integerFlagOptions, parseFlags, readIntegerFlags } from './flags.js';
import type { LogLevel } from '../supervisor/log.js';
import { UsageError } from './usage-error.js';

export const HELP = `Usage: supervise run <file> [options]
       supervise serve <worker-module> --socket <path> [options]   (see supervise serve --help)
       supervise work <worker-module> --queue <name> [options]     (see supervise work --help)

Runs jobs on a pool of worker processes, each connected to the supervisor by an
anonymous AF_UNIX stream socketpair at fd 3.

<file> is either
  a run file     its default export is defineRun({ worker, jobs, ... })
  a worker module jobs are read from stdin, one JSON value per line; results are
                 written to stdout as NDJSON, in input order:
                 {"id":0,"ok":true,"result":...} or {"id":1,"ok":false,"error":{...}}

Options:
  -w, --workers <n>      worker processes (default: number of CPUs, or the run file's)
  -j, --concurrency <n>  jobs in flight overall (default: workers × per-worker)
  --per-worker <n>       jobs in flight per worker (default: 1)
  --name <handler>       named export to call instead of the default export
  --retries <n>          re-dispatches after a worker dies mid-job (default: 2)
  --timeout <ms>         per-job time limit (default: none)
  --max-restarts <n>     crashes no job is to blame for, tolerated within --restart-window (default: 10)
  --restart-window <ms>  window for --max-restarts (default: 60000)
  --kill-grace <ms>      time a timed-out handler gets to yield before its worker is killed (default: 1000)
  --drain-timeout <ms>   a draining worker (recycle, reload, shutdown) still alive after this is killed (default: 30000)
  --restart-delay <ms>   first restart backoff, doubling per crash (default: 100)
  --max-restart-delay <ms>  backoff cap (default: 5000)
  --heartbeat-interval <ms> worker heartbeat period, 0 to disable (default: 1000)
  --heartbeat-timeout <ms>  kill a worker whose event loop is blocked this long (default: 10000)
  --max-jobs-per-worker <n> recycle a worker after about n jobs
  --max-memory <bytes>   recycle a worker whose RSS exceeds this
  --max-frame-size <bytes>  largest message on a worker's channel; a longer input line fails alone (default: 67108864)
  --json                 NDJSON results on stdout, for run files too
  --progress             with NDJSON output, also {"id":N,"progress":…} lines as handlers call ctx.progress()
  --log-level <level>    trace, debug, info, warn, error, fatal or silent (default: info)
  -h, --help             show this help
  -v, --version          show the version

Signals:
  SIGINT, SIGTERM  stop reading input, finish in-flight jobs, exit; a second one kills the workers
  SIGHUP           rolling restart of the workers (after a code change)
  SIGTTIN, SIGTTOU one worker more, one worker less

Exit codes:
  0   every job succeeded
  1   at least one job failed, or the run file's jobs threw
  2   usage or configuration error (bad flag, missing file, not a run file or worker module)
  3   the worker pool failed: the module does not load, or workers crash-loop
  70  internal error (a bug in supervise; please report it)
  74  stdout could not be written (a full disk, an I/O error); results were lost
  130/143  interrupted by SIGINT/SIGTERM after draining in-flight jobs
  141 the reader of stdout went away (| head)
`;

export interface CliFlags {
  workers?: number;
  concurrency?: number;
  perWorker?: number;
  name?: string;
  retries?: number;
  timeout?: number;
  maxRestarts?: number;
  restartWindow?: number;
  heartbeatTimeout?: number;
  heartbeatInterval?: number;
  killGrace?: number;
  drainTimeout?: number;
  restartDelay?: number;
  maxRestartDelay?: number;
  maxJobsPerWorker?: number;
  maxMemory?: number;
  maxFrameSize?: number;
  json: boolean;
  /** NDJSON mode: also print {"id","progress"} lines as handlers report progress. */
  progress: boolean;
  logLevel: LogLevel;
}

export interface ParsedCommand {
  command: 'run' | 'help' | 'version';
  /** `supervise help serve`: the command to explain. */
  topic?: string;
  file?: string;
  flags: CliFlags;
}

const INTEGER_FLAGS = {
  workers: 1,
  concurrency: 1,
  'per-worker': 1,
  retries: 0,
  timeout: 0,
  'max-restarts': 0,
  'restart-window': 1,
  'heartbeat-timeout': 1,
  'heartbeat-interval': 0,
  'kill-grace': 0,
  'drain-timeout': 0,
  'restart-delay': 0,
  'max-restart-delay': 0,
  'max-jobs-per-worker': 1,
  'max-memory': 1,
  'max-frame-size': 1024,
} as const;

/** Parses argv (without node and script); throws UsageError with a one-line message. */
export function parseCommand(argv: string[]): ParsedCommand {
  const parsed = parseFlags(argv, {
    ...integerFlagOptions(INTEGER_FLAGS),
    // GNU parallel's and make's letters
    workers: { type: 'string', short: 'w' },
    concurrency: { type: 'string', short: 'j' },
    name: { type: 'string' },
    json: { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h', default: false },
    version: { type: 'boolean', short: 'v', default: false },
  });
  const { values, positionals } = parsed;
  const logLevel = checkLogLevel(String(values['log-level']));
  const flags: CliFlags = { json: values.json === true, progress: values.progress === true, logLevel };
  readIntegerFlags(values, INTEGER_FLAGS, flags);
  if (typeof values.name === 'string') {
    if (!values.name) throw new UsageError('--name expects a handler name');
    flags.name = values.name;
  }
  if (values.help) return { command: 'help', flags };
  if (values.version) return { command: 'version', flags };
  const [command, file, ...extra] = positionals;
  if (!command) return { command: 'help', flags };
  if (command === 'help') {
    if (file !== undefined && file !== 'run' && file !== 'serve' && file !== 'work') throw new UsageError(`no help for '${file}'; try 'supervise help run', 'supervise help serve' or 'supervise help work'`);
    return { command: 'help', topic: file, flags };
  }
  if (command !== 'run') {
    const suggestion = closestFlag(command, ['run', 'serve', 'work', 'help']);
    throw new UsageError(
      `unknown command '${command}'${suggestion ? `; did you mean '${suggestion}'?` : ''}; the commands are 'supervise run <file>', 'supervise serve <worker-module> --socket <path>' and 'supervise work <worker-module> --queue <name>'`,
    );
  }
  if (!file) throw new UsageError("'supervise run' needs a file: a run file or a worker module");
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return { command: 'run', file, flags };
}
