import type { SerializedError } from '../protocol/index.js';
export declare function errorRecord(error: Error): Pick<SerializedError, 'name' | 'message' | 'code'>;
export declare function ndjsonLine(id: number, ok: boolean, value: unknown): string;
/** A line about a job still running: `{"id":3,"chunk":…}` or `{"id":3,"progress":…}`. */
export declare function taggedLine(id: number, tag: 'chunk' | 'progress', value: unknown): string;
export declare function show(value: unknown): string;
