import type { Readable } from 'node:stream';
export interface ReadLinesOptions {
    /** A line with more bytes than this (its newline not counted) fails with ERR_PAYLOAD_TOO_LARGE. */
    maxLineBytes: number;
}
/**
 * Yields each line (without its newline) as a string, or an Error in place
 * of a line that is too long or not UTF-8. Stops early, without error, when
 * `stopped()` turns true.
 */
export declare function readLines(stream: Readable, stopped: () => boolean, options: ReadLinesOptions): AsyncGenerator<string | Error>;
/**
 * The offset of the first byte that breaks UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or -1 if there is none.
 * `isUtf8` only says yes or no; this says where, for the error message, and
 * runs only on a line already known to be bad.
 */
export declare function firstInvalidUtf8(bytes: Uint8Array): number;
