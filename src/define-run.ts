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
}

const RUN_DEFINITION = Symbol.for('supervise.run-definition');

/** Marks a run file's default export so `supervise run` can tell it from a worker module. */
export function defineRun<T extends RunDefinition>(definition: T): T {
  Object.defineProperty(definition, RUN_DEFINITION, { value: true });
  return definition;
}

export function isRunDefinition(value: unknown): value is RunDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RUN_DEFINITION] === true;
}
