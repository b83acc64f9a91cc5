import { type DestinationStream } from 'pino';
/** Bytes of log records waiting for the reader before new ones are dropped. */
export declare const LOG_BUFFER_LIMIT: number;
export interface BoundedDestinationOptions {
    /** @default 2 (stderr) */
    fd?: number;
    /** @default LOG_BUFFER_LIMIT */
    maxLength?: number;
    /** Turns one pino JSON line into the text written (a pretty printer); identity by default. */
    format?: (line: string) => string;
    /** Fields of the record that reports dropped records, as the logger's `base`. */
    base?: Record<string, unknown>;
}
export type BoundedDestination = DestinationStream & {
    /** Records dropped and not yet reported. */
    readonly pending: {
        records: number;
        bytes: number;
    };
    flush(cb?: (error?: Error) => void): void;
};
/** A pino destination that never blocks and never holds more than `maxLength` bytes. */
export declare function boundedDestination(options?: BoundedDestinationOptions): BoundedDestination;
