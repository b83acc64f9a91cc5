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
/** Marks a run file's default export so `supervise run` can tell it from a worker module. */
export declare function defineRun<T extends RunDefinition>(definition: T): T;
export declare function isRunDefinition(value: unknown): value is RunDefinition;
