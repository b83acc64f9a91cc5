// Run files: a module whose default export says which worker to start and which jobs to feed it.
import type { SupervisorOptions } from './supervisor/options.js';

export type JobSource = Iterable<unknown> | AsyncIterable<unknown>;

export interface RunDefinition extends Omit<SupervisorOptions, 'worker'> {
  /** Worker module; a relative path resolves against the run file's folder. */
  worker: string | URL;
  /** The job payloads: an array, an iterable, an async iterable, or a function returning one. */
  jobs: JobSource | (() => JobSource | Promise<JobSource>);
  /** Handler every job calls. @default 'default' */
  name?: string;
  /**
   * How `supervise run` prints each result (not with `--json`): return the text for stdout (a newline is added
   * when missing), or undefined to print nothing. Without it, a string result prints as it is, any other value as
   * util.inspect shows it, and a failure as one line on stderr.
   * @example format: (o) => o.ok ? `Send: ${o.payload}\nEcho: ${o.result}` : undefined
   */
  format?: (outcome: RunOutcome) => string | undefined | void;
}

/** One job of a run file, settled: its place in the input, its payload, and its result or error. */
export type RunOutcome =
  | { index: number; payload: unknown; ok: true; result: unknown; /** The worker that answered. */ pid: number | undefined }
  | { index: number; payload: unknown; ok: false; error: unknown };

const RUN_DEFINITION = Symbol.for('supervise.run-definition');

/** Marks a run file's default export so `supervise run` can tell it from a worker module. */
export function defineRun(definition: RunDefinition): RunDefinition {
  Object.defineProperty(definition, RUN_DEFINITION, { value: true });
  return definition;
}

/**
 * A run definition: made by defineRun, or a plain object with `worker` and `jobs` (so a run file needs no import
 * of `supervise` at all).
 * @internal
 */
export function isRunDefinition(value: unknown): value is RunDefinition {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[RUN_DEFINITION] === true) return true;
  const { worker, jobs } = value as Record<string, unknown>;
  return (typeof worker === 'string' || worker instanceof URL) && jobs !== undefined && jobs !== null;
}
