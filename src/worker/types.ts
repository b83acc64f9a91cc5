// The contract between supervise and a worker module: what a handler receives and returns.
import type { Logger } from 'pino';

/** What every handler receives besides its payload. */
export interface JobContext {
  /** The job's id, unique within the supervisor. */
  readonly jobId: number;
  /** Aborts when the job is cancelled or times out; pass it to fetch, timers, streams. */
  readonly signal: AbortSignal;
  /** A pino logger bound to this worker and job. */
  readonly log: Logger;
}

/** A job handler: the default export of a worker module, or any named function export. */
export type Handler<In = any, Out = unknown> = (payload: In, ctx: JobContext) => Out | Promise<Out>;

/** Settings the supervisor passes to a worker process. */
export interface WorkerConfig {
  /** File URL of the worker module. */
  module: string;
  workerId: number;
  heartbeatInterval: number;
  maxFrameSize: number;
  logLevel: string;
}
