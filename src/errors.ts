/*
 * Coded errors. Every error supervise raises has a stable `code` to branch on
 * and a message that says what to do about it. They are plain data plus a
 * class, so they serialize across the channel and come back as the same class
 * (see protocol/error-codec.ts).
 */

export interface SuperviseErrorOptions {
  cause?: unknown;
}

/** The codes of ProtocolError: bytes on a channel that do not follow the protocol. */
export type ProtocolErrorCode =
  | 'ERR_PROTOCOL'
  | 'ERR_PROTOCOL_CREDIT'
  | 'ERR_PROTOCOL_MALFORMED'
  | 'ERR_PROTOCOL_TRUNCATED'
  | 'ERR_PROTOCOL_UNEXPECTED'
  | 'ERR_PROTOCOL_UNKNOWN_JOB'
  | 'ERR_PROTOCOL_UNKNOWN_KIND'
  | 'ERR_PROTOCOL_VERSION'
  | 'ERR_FRAME_TOO_LARGE';

/** Every code a SuperviseError can have; each class narrows `code` to its own. */
export type SuperviseErrorCode =
  | ProtocolErrorCode
  | 'ERR_PAYLOAD_UNSUPPORTED'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_INVALID_OPTION'
  | 'ERR_WORKER_CRASHED'
  | 'ERR_WORKER_BOOT'
  | 'ERR_WORKER_NOT_FOUND'
  | 'ERR_CRASH_LOOP'
  | 'ERR_RELOAD_FAILED'
  | 'ERR_JOB_TIMEOUT'
  | 'ABORT_ERR'
  | 'ERR_QUEUE_FULL'
  | 'ERR_SUPERVISOR_CLOSED'
  | 'ERR_UNKNOWN_HANDLER'
  | 'ERR_UNSAFE_CACHE_DIR'
  | 'ERR_SOCKET_PATH'
  | 'ERR_MISSING_PEER';

/** Base class: a message plus a stable `code`. */
export class SuperviseError extends Error {
  code: SuperviseErrorCode;
  constructor(code: SuperviseErrorCode, message: string, options?: SuperviseErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SuperviseError';
    this.code = code;
  }
}

/** Bytes on the channel that do not follow the protocol: garbage, oversized or truncated frames, unknown kinds or ids. */
export class ProtocolError extends SuperviseError {
  declare code: ProtocolErrorCode;
  constructor(message: string, code: ProtocolErrorCode = 'ERR_PROTOCOL', options?: SuperviseErrorOptions) {
    super(code, message, options);
    this.name = 'ProtocolError';
  }
}

/** A value that cannot travel as a job payload or result: a function, a symbol, or more bytes than maxFrameSize. */
export class PayloadError extends SuperviseError {
  declare code: 'ERR_PAYLOAD_UNSUPPORTED' | 'ERR_PAYLOAD_TOO_LARGE';
  constructor(message: string, options?: SuperviseErrorOptions & { code?: 'ERR_PAYLOAD_UNSUPPORTED' | 'ERR_PAYLOAD_TOO_LARGE' }) {
    super(options?.code ?? 'ERR_PAYLOAD_UNSUPPORTED', message, options);
    this.name = 'PayloadError';
  }
}

/** An option that failed validation; the message names the option, what was expected and what was given. */
export class OptionError extends SuperviseError {
  declare code: 'ERR_INVALID_OPTION';
  constructor(message: string) {
    super('ERR_INVALID_OPTION', message);
    this.name = 'OptionError';
  }
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

/**
 * Describes how a process ended, for messages: `exit code 1` or `signal SIGKILL`.
 * @internal
 */
export function describeExit(info: Pick<ExitInfo, 'exitCode' | 'signal'>): string {
  if (info.signal) return `signal ${info.signal}`;
  if (info.exitCode !== null) return `exit code ${info.exitCode}`;
  return 'an unknown cause';
}

function withTail(message: string, tail: string): string {
  return tail ? `${message}\n--- worker stderr (tail) ---\n${tail}` : message;
}

/** A job's worker died while the job was in flight, and no attempt was left; `crashes` counts the workers it was running on when they ended. */
export class WorkerCrashError extends SuperviseError implements ExitInfo {
  declare code: 'ERR_WORKER_CRASHED';
  jobId: number;
  attempts: number;
  crashes: number;
  /** For a stream: the chunks that reached the caller before the crash (none is ever sent twice). */
  chunks: number | undefined;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  pid: number | undefined;
  constructor(
    details: { jobId: number; attempts: number; crashes?: number; chunks?: number; pid?: number; reason?: string } & ExitInfo,
    options?: SuperviseErrorOptions,
  ) {
    const why = details.reason ?? `exited with ${describeExit(details)}`;
    const crashes = details.crashes ?? 1;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    super(
      'ERR_WORKER_CRASHED',
      withTail(
        `Job ${details.jobId} failed: ${crashes > 1 ? `it took down ${plural(crashes, 'worker')}; the last one` : 'its worker'}${details.pid ? ` (pid ${details.pid})` : ''} ${why}, after ${plural(details.attempts, 'attempt')}${details.chunks ? ` and ${plural(details.chunks, 'chunk')} streamed (a stream is not retried once it has produced chunks)` : ''}`,
        details.stderrTail,
      ),
      options,
    );
    this.name = 'WorkerCrashError';
    this.jobId = details.jobId;
    this.attempts = details.attempts;
    this.crashes = crashes;
    this.chunks = details.chunks;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
    this.pid = details.pid;
  }
}

/** The worker module could not be loaded (it threw on import, or exports no handler). */
export class WorkerBootError extends SuperviseError implements ExitInfo {
  declare code: 'ERR_WORKER_BOOT';
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  module: string;
  constructor(details: { module: string; reason: string } & ExitInfo, options?: SuperviseErrorOptions) {
    super('ERR_WORKER_BOOT', withTail(`Worker module ${details.module} failed to boot: ${details.reason}`, details.stderrTail), options);
    this.name = 'WorkerBootError';
    this.module = details.module;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
  }
}

/** Workers died more than `maxRestarts` times within `restartWindow`, so the supervisor gave up. */
export class CrashLoopError extends SuperviseError implements ExitInfo {
  declare code: 'ERR_CRASH_LOOP';
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  restarts: number;
  constructor(details: { restarts: number; windowMs: number; reason: string } & ExitInfo, options?: SuperviseErrorOptions) {
    super(
      'ERR_CRASH_LOOP',
      withTail(
        details.restarts === 0
          ? `Workers cannot start, so they are not restarted: the worker ${details.reason}`
          : `Workers are crash-looping: ${details.restarts} restarts within ${details.windowMs} ms; last worker ${details.reason}`,
        details.stderrTail,
      ),
      options,
    );
    this.name = 'CrashLoopError';
    this.restarts = details.restarts;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
  }
}

/** `reload()` could not bring up a replacement worker; the workers it had not yet replaced keep serving. */
export class ReloadError extends SuperviseError {
  declare code: 'ERR_RELOAD_FAILED';
  constructor(message: string, options?: SuperviseErrorOptions) {
    super('ERR_RELOAD_FAILED', message, options);
    this.name = 'ReloadError';
  }
}

/** A job ran longer than its `timeout`. */
export class JobTimeoutError extends SuperviseError {
  declare code: 'ERR_JOB_TIMEOUT';
  jobId: number;
  timeout: number;
  constructor(jobId: number, timeout: number) {
    super('ERR_JOB_TIMEOUT', `Job ${jobId} timed out after ${timeout} ms`);
    this.name = 'JobTimeoutError';
    this.jobId = jobId;
    this.timeout = timeout;
  }
}

/** A job was cancelled through its AbortSignal. Named AbortError, like the platform's. */
export class AbortError extends SuperviseError {
  declare code: 'ABORT_ERR';
  constructor(message = 'The job was aborted', options?: SuperviseErrorOptions) {
    super('ABORT_ERR', message, options);
    this.name = 'AbortError';
  }
}

/** `maxQueue` jobs are already waiting and the queue is set to reject. */
export class QueueFullError extends SuperviseError {
  declare code: 'ERR_QUEUE_FULL';
  constructor(maxQueue: number) {
    super('ERR_QUEUE_FULL', `The job queue is full (maxQueue is ${maxQueue}); retry later or raise maxQueue`);
    this.name = 'QueueFullError';
  }
}

/** The supervisor is closing, closed or destroyed, so it takes no new jobs. */
export class SupervisorClosedError extends SuperviseError {
  declare code: 'ERR_SUPERVISOR_CLOSED';
  constructor(message = 'The supervisor is closed and takes no new jobs') {
    super('ERR_SUPERVISOR_CLOSED', message);
    this.name = 'SupervisorClosedError';
  }
}

/** No handler with that name exists in the worker module. */
export class UnknownHandlerError extends SuperviseError {
  declare code: 'ERR_UNKNOWN_HANDLER';
  constructor(name: string, available: readonly string[]) {
    super(
      'ERR_UNKNOWN_HANDLER',
      `The worker module has no handler named \`${name}\`; it exports: ${available.length ? available.map((n) => `\`${n}\``).join(', ') : 'none'}`,
    );
    this.name = 'UnknownHandlerError';
  }
}

/**
 * The directory for compiled TypeScript worker modules is not private: another
 * user could write to it (or to a directory above it), or a compiled file was
 * replaced after it was written. No worker is started from it.
 */
export class UnsafeCacheDirError extends SuperviseError {
  declare code: 'ERR_UNSAFE_CACHE_DIR';
  path: string;
  constructor(path: string, why: string) {
    super(
      'ERR_UNSAFE_CACHE_DIR',
      `Refusing to run compiled worker code from ${path}: ${why}. Another user could change the code the workers run; set TMPDIR to a directory that only you (or root) can write`,
    );
    this.name = 'UnsafeCacheDirError';
    this.path = path;
  }
}

/** The worker module is not there: none of the paths tried (the given one, and for `.js` its `.ts`) is a file. */
export class WorkerNotFoundError extends SuperviseError {
  declare code: 'ERR_WORKER_NOT_FOUND';
  /** Every path looked at, in order. */
  tried: string[];
  constructor(tried: string[]) {
    super(
      'ERR_WORKER_NOT_FOUND',
      `Worker module not found: ${tried.length === 1 ? `${tried[0]} does not exist` : `tried ${tried.join(', ')}`}; check the \`worker\` path (a relative path resolves against the current directory, a URL against the module that made it)`,
    );
    this.name = 'WorkerNotFoundError';
    this.tried = tried;
  }
}

/**
 * Classes that are rebuilt by name when an error crosses the channel.
 * @internal
 */
export const errorClasses: Record<string, new (...args: never[]) => SuperviseError> = {
  SuperviseError,
  ProtocolError,
  PayloadError,
  OptionError,
  WorkerCrashError,
  WorkerBootError,
  CrashLoopError,
  ReloadError,
  JobTimeoutError,
  AbortError,
  QueueFullError,
  SupervisorClosedError,
  UnknownHandlerError,
  UnsafeCacheDirError,
  WorkerNotFoundError,
};
