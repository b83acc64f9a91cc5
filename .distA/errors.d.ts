export interface SuperviseErrorOptions {
    cause?: unknown;
}
/** Base class: a message plus a stable `code`. */
export declare class SuperviseError extends Error {
    code: string;
    constructor(code: string, message: string, options?: SuperviseErrorOptions);
}
/** Bytes on the channel that do not follow the protocol: garbage, oversized or truncated frames, unknown kinds or ids. */
export declare class ProtocolError extends SuperviseError {
    constructor(message: string, code?: string, options?: SuperviseErrorOptions);
}
/** A value that cannot travel as a job payload or result: a function, a symbol, or more bytes than maxFrameSize. */
export declare class PayloadError extends SuperviseError {
    constructor(message: string, options?: SuperviseErrorOptions & {
        code?: 'ERR_PAYLOAD_UNSUPPORTED' | 'ERR_PAYLOAD_TOO_LARGE';
    });
}
/** An option that failed validation; the message names the option, what was expected and what was given. */
export declare class OptionError extends SuperviseError {
    constructor(message: string);
}
export interface ExitInfo {
    exitCode: number | null;
    signal: string | null;
    stderrTail: string;
}
/** Describes how a process ended, for messages: `exit code 1` or `signal SIGKILL`. */
export declare function describeExit(info: Pick<ExitInfo, 'exitCode' | 'signal'>): string;
/** A job's worker died while the job was in flight, and no attempt was left; `crashes` counts the workers it was running on when they ended. */
export declare class WorkerCrashError extends SuperviseError implements ExitInfo {
    jobId: number;
    attempts: number;
    crashes: number;
    /** For a stream: the chunks that reached the caller before the crash (none is ever sent twice). */
    chunks: number | undefined;
    exitCode: number | null;
    signal: string | null;
    stderrTail: string;
    pid: number | undefined;
    constructor(details: {
        jobId: number;
        attempts: number;
        crashes?: number;
        chunks?: number;
        pid?: number;
        reason?: string;
    } & ExitInfo, options?: SuperviseErrorOptions);
}
/** The worker module could not be loaded (it threw on import, or exports no handler). */
export declare class WorkerBootError extends SuperviseError implements ExitInfo {
    exitCode: number | null;
    signal: string | null;
    stderrTail: string;
    module: string;
    constructor(details: {
        module: string;
        reason: string;
    } & ExitInfo, options?: SuperviseErrorOptions);
}
/** Workers died more than `maxRestarts` times within `restartWindow`, so the supervisor gave up. */
export declare class CrashLoopError extends SuperviseError implements ExitInfo {
    exitCode: number | null;
    signal: string | null;
    stderrTail: string;
    restarts: number;
    constructor(details: {
        restarts: number;
        windowMs: number;
        reason: string;
    } & ExitInfo, options?: SuperviseErrorOptions);
}
/** `reload()` could not bring up a replacement worker; the workers it had not yet replaced keep serving. */
export declare class ReloadError extends SuperviseError {
    constructor(message: string, options?: SuperviseErrorOptions);
}
/** A job ran longer than its `timeout`. */
export declare class JobTimeoutError extends SuperviseError {
    jobId: number;
    timeout: number;
    constructor(jobId: number, timeout: number);
}
/** A job was cancelled through its AbortSignal. Named AbortError, like the platform's. */
export declare class AbortError extends SuperviseError {
    constructor(message?: string, options?: SuperviseErrorOptions);
}
/** `maxQueue` jobs are already waiting and the queue is set to reject. */
export declare class QueueFullError extends SuperviseError {
    constructor(maxQueue: number);
}
/** The supervisor is closing, closed or destroyed, so it takes no new jobs. */
export declare class SupervisorClosedError extends SuperviseError {
    constructor(message?: string);
}
/** No handler with that name exists in the worker module. */
export declare class UnknownHandlerError extends SuperviseError {
    constructor(name: string, available: readonly string[]);
}
/**
 * The directory for compiled TypeScript worker modules is not private: another
 * user could write to it (or to a directory above it), or a compiled file was
 * replaced after it was written. No worker is started from it.
 */
export declare class UnsafeCacheDirError extends SuperviseError {
    path: string;
    constructor(path: string, why: string);
}
/** Classes that are rebuilt by name when an error crosses the channel. */
export declare const errorClasses: Record<string, new (...args: never[]) => SuperviseError>;
