/*
 * Every supervisor option is validated and defaulted here, once, so the rest of
 * the code can trust a ResolvedOptions. Messages follow one shape:
 * Expected `workers` to be an integer from 1 and up, got `0` (number)
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OptionError } from '../errors.js';
import { locateWorker } from './locate-worker.js';
import { DEFAULT_MAX_FRAME_SIZE, isPlainJson, MAX_META_SIZE } from '../protocol/index.js';
import { LOG_LEVELS, type LogLevel, type SuperviseLogger } from './log.js';

export { LOG_LEVELS };

export type QueueFullBehavior = 'reject' | 'wait';

export interface SupervisorOptions {
  /** Worker module: a path (relative to the current directory) or a file URL. */
  worker: string | URL;
  /** Number of worker processes. @default the number of CPUs */
  workers?: number;
  /** Jobs in flight per worker. @default 1 */
  perWorker?: number;
  /** Jobs in flight overall. @default workers × perWorker */
  concurrency?: number;
  /** Times a job is re-dispatched after its worker died mid-job. Jobs must be safe to repeat. @default 2 */
  retries?: number;
  /** Per-attempt time limit in ms, from dispatch to result; 0 means none. @default 0 */
  timeout?: number;
  /** After a timeout or cancel, ms a handler gets to yield before its worker is killed and replaced. @default 1000 */
  killGrace?: number;
  /** ms between worker heartbeats; 0 disables heartbeats and the blocked-loop check. @default 1000 */
  heartbeatInterval?: number;
  /** A worker silent for this many ms (blocked event loop) is killed and replaced. @default 10000 */
  heartbeatTimeout?: number;
  /** A worker that has not loaded its module and said hello within this many ms is killed (a boot failure). @default 60000 */
  startTimeout?: number;
  /**
   * A worker draining (recycle, reload, resize, close) that still has not exited after this many ms is killed,
   * and its unfinished jobs are retried elsewhere or rejected. Also the default bound of `close()`. @default 30000
   */
  drainTimeout?: number;
  /** More crashes that no job can be blamed for (a worker dying idle or while starting) than this within `restartWindow` fails the supervisor. @default 10 */
  maxRestarts?: number;
  /** The window for `maxRestarts`, ms. @default 60000 */
  restartWindow?: number;
  /** First restart delay, ms; doubles for each consecutive crash. @default 100 */
  restartDelay?: number;
  /** Upper bound of the restart delay, ms. @default 5000 */
  maxRestartDelay?: number;
  /** Recycle a worker after about this many jobs (±10% jitter). @default Infinity */
  maxJobsPerWorker?: number;
  /** Recycle a worker whose RSS (from its heartbeat) exceeds this many bytes. @default Infinity */
  maxMemory?: number;
  /** Most jobs waiting in the queue. @default Infinity */
  maxQueue?: number;
  /** What `run()` does when the queue is full: reject with ERR_QUEUE_FULL, or wait for room. @default 'reject' */
  queueFull?: QueueFullBehavior;
  /** Largest frame accepted on the channel, bytes. @default 64 MiB */
  maxFrameSize?: number;
  /**
   * A pino (or pino-compatible: child, debug, info, warn, error) logger for the supervisor's own records; worker
   * output and `ctx.log` records are logged through it too. Without `logger` and `logLevel` the supervisor logs
   * nothing, and worker stdout/stderr lines go to this process's stdout/stderr as they are.
   * @default none
   */
  logger?: SuperviseLogger;
  /**
   * Log through the built-in pino logger (JSON on stderr, never blocking) at this level, when `logger` is not given.
   * @default none: no logging
   */
  logLevel?: LogLevel;
  /** Extra environment variables for workers. */
  env?: Record<string, string | undefined>;
  /** Node flags for workers. @default [] */
  execArgv?: string[];
  /** Working directory of workers. @default process.cwd() */
  cwd?: string;
}

/** Every option's name, kept complete by the compiler: a run file's keys are checked against them. */
export const OPTION_NAMES: readonly string[] = Object.keys({
  worker: 1, workers: 1, perWorker: 1, concurrency: 1, retries: 1, timeout: 1, killGrace: 1, heartbeatInterval: 1,
  heartbeatTimeout: 1, startTimeout: 1, drainTimeout: 1, maxRestarts: 1, restartWindow: 1, restartDelay: 1,
  maxRestartDelay: 1, maxJobsPerWorker: 1, maxMemory: 1, maxQueue: 1, queueFull: 1, maxFrameSize: 1, logger: 1,
  logLevel: 1, env: 1, execArgv: 1, cwd: 1,
} satisfies Record<keyof SupervisorOptions, 1>);

export interface ResolvedOptions extends Required<Omit<SupervisorOptions, 'worker' | 'logger' | 'logLevel' | 'env' | 'cwd'>> {
  /** File URL of the worker module. */
  worker: string;
  /** Path of the worker module, for messages. */
  workerPath: string;
  logger: SuperviseLogger | undefined;
  logLevel: LogLevel | undefined;
  /** Worker stdout/stderr: logged line by line (a logger was given), or passed through to this process's own. */
  workerOutput: 'log' | 'passthrough';
  env: Record<string, string | undefined>;
  cwd: string;
}

function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : typeof value === 'symbol' ? value.toString() : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return `\`${text}\` (${value === null ? 'null' : typeof value})`;
}

/** Throws the standard option message. */
export function invalid(name: string, expected: string, value: unknown): never {
  throw new OptionError(`Expected \`${name}\` to be ${expected}, got ${show(value)}`);
}

export function integerOption(name: string, value: unknown, min: number, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (allowInfinity && value === Infinity) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalid(name, `an integer from ${min} and up${allowInfinity ? ' (or Infinity)' : ''}`, value);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) invalid(name, `one of ${choices.map((c) => `\`${c}\``).join(', ')}`, value);
  return value as T;
}

/**
 * Resolves the worker option to the file URL of a module that exists; relative paths resolve against `base` (the
 * current directory). Throws WorkerNotFoundError when there is none.
 */
export function resolveWorker(value: unknown, base = process.cwd()): { url: string; path: string } {
  if (value instanceof URL || (typeof value === 'string' && value.startsWith('file:'))) {
    const url = new URL(String(value));
    if (url.protocol !== 'file:') invalid('worker', 'a path or a file: URL', String(value));
    const file = locateWorker(fileURLToPath(url));
    return { url: pathToFileURL(file).href, path: file };
  }
  if (typeof value !== 'string' || value.length === 0) invalid('worker', 'a path or a file: URL', value);
  const file = locateWorker(path.resolve(base, value));
  return { url: pathToFileURL(file).href, path: file };
}

function isLogger(value: unknown): value is SuperviseLogger {
  if (value === null || typeof value !== 'object') return false;
  const logger = value as Record<string, unknown>;
  return ['child', 'debug', 'info', 'warn', 'error'].every((method) => typeof logger[method] === 'function');
}

/** Validates and defaults all options; the only place that knows option rules. */
export function resolveOptions(options: SupervisorOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const worker = resolveWorker(options.worker);
  const workers = integerOption('workers', options.workers, 1, availableParallelism());
  const perWorker = integerOption('perWorker', options.perWorker, 1, 1);
  const concurrency = integerOption('concurrency', options.concurrency, 1, workers * perWorker, true);
  const heartbeatInterval = integerOption('heartbeatInterval', options.heartbeatInterval, 0, 1000);
  const heartbeatTimeout = integerOption('heartbeatTimeout', options.heartbeatTimeout, 1, 10_000);
  if (heartbeatInterval > 0 && heartbeatTimeout <= heartbeatInterval) {
    invalid('heartbeatTimeout', `an integer greater than \`heartbeatInterval\` (${heartbeatInterval})`, heartbeatTimeout);
  }
  const restartDelay = integerOption('restartDelay', options.restartDelay, 0, 100);
  const maxRestartDelay = integerOption('maxRestartDelay', options.maxRestartDelay, restartDelay, Math.max(5000, restartDelay));
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel as LogLevel)) invalid('logLevel', `one of ${LOG_LEVELS.join(', ')}`, options.logLevel);
  if (options.logger !== undefined && !isLogger(options.logger)) invalid('logger', 'a pino-compatible logger (with child, debug, info, warn and error methods)', options.logger);
  if (options.env !== undefined && (options.env === null || typeof options.env !== 'object')) invalid('env', 'an object', options.env);
  if (options.execArgv !== undefined && (!Array.isArray(options.execArgv) || options.execArgv.some((a) => typeof a !== 'string'))) {
    invalid('execArgv', 'an array of strings', options.execArgv);
  }
  if (options.cwd !== undefined && typeof options.cwd !== 'string') invalid('cwd', 'a string', options.cwd);
  return {
    worker: worker.url,
    workerPath: worker.path,
    workers,
    perWorker,
    concurrency,
    retries: integerOption('retries', options.retries, 0, 2),
    timeout: integerOption('timeout', options.timeout, 0, 0),
    killGrace: integerOption('killGrace', options.killGrace, 0, 1000),
    heartbeatInterval,
    heartbeatTimeout,
    startTimeout: integerOption('startTimeout', options.startTimeout, 1, 60_000),
    drainTimeout: integerOption('drainTimeout', options.drainTimeout, 0, 30_000, true),
    maxRestarts: integerOption('maxRestarts', options.maxRestarts, 0, 10, true),
    restartWindow: integerOption('restartWindow', options.restartWindow, 1, 60_000),
    restartDelay,
    maxRestartDelay,
    maxJobsPerWorker: integerOption('maxJobsPerWorker', options.maxJobsPerWorker, 1, Infinity, true),
    maxMemory: integerOption('maxMemory', options.maxMemory, 1, Infinity, true),
    maxQueue: integerOption('maxQueue', options.maxQueue, 1, Infinity, true),
    queueFull: oneOf('queueFull', options.queueFull, ['reject', 'wait'] as const, 'reject'),
    maxFrameSize: integerOption('maxFrameSize', options.maxFrameSize, 1024, DEFAULT_MAX_FRAME_SIZE),
    logger: options.logger,
    logLevel: options.logLevel,
    workerOutput: options.logger !== undefined || options.logLevel !== undefined ? 'log' : 'passthrough',
    env: options.env ?? {},
    execArgv: options.execArgv ?? [],
    cwd: options.cwd ?? process.cwd(),
  };
}

export interface RunOptions {
  /** Handler to call: a named export of the worker module. @default 'default' */
  name?: string;
  /** Cancels the job: removed from the queue, or ctx.signal aborted in the worker. */
  signal?: AbortSignal;
  /** Overrides the supervisor's `timeout` for this job. */
  timeout?: number;
  /** Overrides the supervisor's `retries` for this job. */
  retries?: number;
  /** Small JSON data the handler reads as `ctx.meta` (an idempotency key, a trace id); sent again with every retry. */
  meta?: unknown;
  /**
   * Called with each progress value the handler reports (`ctx.progress`), in order, the last one before the job
   * settles. If it returns a promise, updates that arrive meanwhile are coalesced: only the latest is delivered next.
   */
  onProgress?: (value: unknown, info: ProgressInfo) => void | Promise<void>;
  /**
   * A stream of input the handler reads as `ctx.input`: an AsyncIterable (a Readable, an async generator) or an
   * Iterable. It is read only as fast as the handler takes it. Once any of it was sent, the job is not retried.
   */
  input?: AsyncIterable<unknown> | Iterable<unknown>;
  /**
   * For a generator handler run with run(): called with each chunk, in order. If it returns a promise, the worker
   * sends the next chunks only as it settles (the same credit window as stream()). Without it, run() drops chunks.
   */
  onChunk?: (chunk: unknown, info: ProgressInfo) => void | Promise<void>;
  /**
   * Called with each record the handler logs through `ctx.log` for this job, as it arrives. Workers send records
   * at the supervisor's log level (none when the supervisor logs nothing: give it a `logger` or a `logLevel`).
   */
  onLog?: (record: JobLogRecord) => void;
}

/** One `ctx.log` record of a job, as `onLog` receives it. */
export interface JobLogRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string | undefined;
  /** The worker's clock, ms since the epoch, when the record has it. */
  time: number | undefined;
  /** The record's other fields (the bindings and the object logged with the message). */
  fields: Record<string, unknown>;
}

export interface ProgressInfo {
  jobId: number;
  /** The attempt that reported it: after a worker died, a retry reports from the start again. */
  attempt: number;
}

export interface ResolvedRunOptions {
  name: string;
  signal: AbortSignal | undefined;
  timeout: number;
  retries: number;
  /** `meta` as JSON text. */
  meta: string | undefined;
  onProgress: RunOptions['onProgress'];
  input: AsyncIterable<unknown> | Iterable<unknown> | undefined;
  onChunk: RunOptions['onChunk'];
  onLog: RunOptions['onLog'];
}

/** Validates per-job options against the supervisor's defaults. */
export function resolveRunOptions(options: RunOptions | undefined, defaults: ResolvedOptions): ResolvedRunOptions {
  if (options === undefined) return { name: 'default', signal: undefined, timeout: defaults.timeout, retries: defaults.retries, meta: undefined, onProgress: undefined, input: undefined, onChunk: undefined, onLog: undefined };
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const { name = 'default', signal, onProgress, onChunk, onLog } = options;
  if (onChunk !== undefined && typeof onChunk !== 'function') invalid('onChunk', 'a function', onChunk);
  if (typeof name !== 'string' || name.length === 0) invalid('name', 'a non-empty string', name);
  if (signal !== undefined && !(signal instanceof AbortSignal)) invalid('signal', 'an AbortSignal', signal);
  if (onProgress !== undefined && typeof onProgress !== 'function') invalid('onProgress', 'a function', onProgress);
  if (onLog !== undefined && typeof onLog !== 'function') invalid('onLog', 'a function', onLog);
  const { input } = options;
  if (
    input !== undefined &&
    (input === null || typeof input !== 'object' || (typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (input as Iterable<unknown>)[Symbol.iterator] !== 'function'))
  ) {
    invalid('input', 'an AsyncIterable, a Readable or an Iterable', input);
  }
  return {
    name,
    signal,
    timeout: integerOption('timeout', options.timeout, 0, defaults.timeout),
    retries: integerOption('retries', options.retries, 0, defaults.retries),
    meta: options.meta === undefined ? undefined : metaText(options.meta),
    onProgress,
    input,
    onChunk,
    onLog,
  };
}

/** `meta` as JSON text: plain JSON data of at most 64 KiB. */
function metaText(meta: unknown): string {
  // exactly what JSON carries: a function, undefined or NaN inside would be dropped or changed on the way
  if (!isPlainJson(meta)) invalid('meta', 'JSON data (plain objects, arrays, strings, finite numbers, booleans, null)', meta);
  const text = JSON.stringify(meta);
  if (Buffer.byteLength(text, 'utf8') > MAX_META_SIZE) invalid('meta', `at most ${MAX_META_SIZE} bytes of JSON`, `${text.slice(0, 40)}…`);
  return text;
}
