import type { Logger } from 'pino';
/** ms between two summaries of a repeating error. */
export declare const ERROR_SUMMARY_INTERVAL = 30000;
/** Returns a function that logs `error` as a warning, throttled by its code (or message). */
export declare function createErrorThrottle(log: Pick<Logger, 'warn'>, prefix: string, interval?: number): (error: Error) => void;
