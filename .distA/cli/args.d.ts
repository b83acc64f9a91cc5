export declare const HELP = "Usage: supervise run <file> [options]\n       supervise serve <worker-module> --socket <path> [options]   (see supervise serve --help)\n       supervise work <worker-module> --queue <name> [options]     (see supervise work --help)\n\nRuns jobs on a pool of worker processes, each connected to the supervisor by an\nanonymous AF_UNIX stream socketpair at fd 3.\n\n<file> is either\n  a run file     its default export is defineRun({ worker, jobs, ... })\n  a worker module jobs are read from stdin, one JSON value per line; results are\n                 written to stdout as NDJSON, in input order:\n                 {\"id\":0,\"ok\":true,\"result\":...} or {\"id\":1,\"ok\":false,\"error\":{...}}\n\nOptions:\n  --workers <n>          worker processes (default: number of CPUs, or the run file's)\n  --concurrency <n>      jobs in flight overall (default: workers \u00D7 per-worker)\n  --per-worker <n>       jobs in flight per worker (default: 1)\n  --name <handler>       named export to call instead of the default export\n  --retries <n>          re-dispatches after a worker dies mid-job (default: 2)\n  --timeout <ms>         per-job time limit (default: none)\n  --max-restarts <n>     crashes no job is to blame for, tolerated within --restart-window (default: 10)\n  --restart-window <ms>  window for --max-restarts (default: 60000)\n  --kill-grace <ms>      time a timed-out handler gets to yield before its worker is killed (default: 1000)\n  --drain-timeout <ms>   a draining worker (recycle, reload, shutdown) still alive after this is killed (default: 30000)\n  --restart-delay <ms>   first restart backoff, doubling per crash (default: 100)\n  --max-restart-delay <ms>  backoff cap (default: 5000)\n  --heartbeat-interval <ms> worker heartbeat period, 0 to disable (default: 1000)\n  --heartbeat-timeout <ms>  kill a worker whose event loop is blocked this long (default: 10000)\n  --max-jobs-per-worker <n> recycle a worker after about n jobs\n  --max-memory <bytes>   recycle a worker whose RSS exceeds this\n  --max-frame-size <bytes>  largest message on a worker's channel; a longer input line fails alone (default: 67108864)\n  --json                 NDJSON results on stdout, for run files too\n  --progress             with NDJSON output, also {\"id\":N,\"progress\":\u2026} lines as handlers call ctx.progress()\n  --log-level <level>    trace, debug, info, warn, error, fatal or silent (default: info)\n  -h, --help             show this help\n  -v, --version          show the version\n\nSignals:\n  SIGINT, SIGTERM  stop reading input, finish in-flight jobs, exit; a second one kills the workers\n  SIGHUP           rolling restart of the workers (after a code change)\n  SIGTTIN, SIGTTOU one worker more, one worker less\n\nExit codes:\n  0   every job succeeded\n  1   at least one job failed\n  2   usage or configuration error (bad flag, missing file, not a run file or worker module)\n  3   the worker pool failed: the module does not load, or workers crash-loop\n  74  stdout could not be written (a full disk, an I/O error); results were lost\n  130/143  interrupted by SIGINT/SIGTERM after draining in-flight jobs\n  141 the reader of stdout went away (| head)\n";
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
    logLevel: string;
}
export interface ParsedCommand {
    command: 'run' | 'help' | 'version';
    file?: string;
    flags: CliFlags;
}
/** Parses argv (without node and script); throws UsageError with a one-line message. */
export declare function parseCommand(argv: string[]): ParsedCommand;
