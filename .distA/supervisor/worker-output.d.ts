import type { Readable } from 'node:stream';
import { type TailBuffer } from './line-splitter.js';
export type OutputStream = 'stdout' | 'stderr';
export interface OutputBudgetLimits {
    /** Sustained rate, bytes per second. */
    bytesPerSecond: number;
    /** Sustained rate, lines per second. */
    linesPerSecond: number;
    /** Bytes that may arrive at once after a quiet spell. */
    burstBytes: number;
    /** Lines that may arrive at once after a quiet spell. */
    burstLines: number;
}
/** Per worker, stdout and stderr together. Generous for logging, small beside a flood. */
export declare const DEFAULT_OUTPUT_BUDGET: Readonly<OutputBudgetLimits>;
/** ms between two summaries of dropped output (one more comes when a stream ends). */
export declare const DROP_REPORT_INTERVAL = 5000;
/**
 * A token bucket in bytes and lines. Tokens may go negative: a line that
 * starts while tokens remain is let through whole, and the debt is paid back
 * before the next one.
 *
 * The gate refills only when a chunk does not fit in the tokens left, so a
 * worker that prints little never costs a clock read (about 200 ns here). The
 * price: tokens earned while the last ones were spent are credited at once, so
 * the first moments of a flood after a quiet spell may get up to two bursts.
 */
export declare class OutputBudget {
    readonly limits: Readonly<OutputBudgetLimits>;
    private readonly now;
    bytes: number;
    lines: number;
    private last;
    constructor(limits?: Readonly<OutputBudgetLimits>, now?: () => number);
    /** Adds the tokens earned since the last refill, up to the burst. */
    refill(): void;
    /** True while a new line may start. */
    get open(): boolean;
}
/** Where a worker's output goes. */
export interface WorkerOutputSink {
    /** One line within the budget, without its line break. */
    line(line: string, stream: OutputStream): void;
    /** Output dropped from one stream since the last summary. */
    dropped(summary: DroppedOutput): void;
}
export interface DroppedOutput {
    stream: OutputStream;
    lines: number;
    bytes: number;
}
export interface WorkerOutputOptions {
    /** Fed every raw stderr byte, for crash reports. */
    tail?: TailBuffer;
    budget?: Readonly<OutputBudgetLimits>;
    /** ms between summaries of dropped output. @default DROP_REPORT_INTERVAL */
    reportInterval?: number;
    /** Clock for the budget (tests). */
    now?: () => number;
}
/**
 * One stream through the budget: admitted bytes go to a line splitter, the
 * rest is counted. A line is dropped or kept whole, except a line whose start
 * was logged and whose end arrives over budget: its start is logged on its own,
 * and the rest counts as dropped bytes but not as a dropped line. So every line
 * is either logged or counted, once.
 */
export declare class OutputGate {
    private readonly budget;
    /** Called after each chunk that dropped something. */
    private readonly onDrop;
    /** Dropped since the last summary. */
    droppedLines: number;
    droppedBytes: number;
    /** The stream is inside a dropped line: bytes up to the next newline are dropped too. */
    private dropping;
    /** The stream is inside a kept line: the splitter holds its start. */
    private partial;
    /** The line being dropped was logged in part: its end does not count as a dropped line. */
    private truncated;
    private readonly splitter;
    constructor(budget: OutputBudget, sink: Pick<WorkerOutputSink, 'line'>, stream: OutputStream, 
    /** Called after each chunk that dropped something. */
    onDrop: () => void);
    push(chunk: Buffer): void;
    /** The stream ended: log a kept partial line, count a dropped one. */
    end(): void;
    /** Takes the counts since the last call. */
    takeDropped(): {
        lines: number;
        bytes: number;
    };
}
/**
 * Reads a worker's stdout and stderr for as long as they are open, and hands
 * their lines to `sink` within one budget for both. Returns nothing to manage:
 * it ends with the streams.
 */
export declare function pipeWorkerOutput(stdout: Readable, stderr: Readable, sink: WorkerOutputSink, options?: WorkerOutputOptions): void;
/** `dropped 12,345 lines (3.2 MB) of stdout from worker 3` */
export declare function describeDropped(summary: DroppedOutput, workerId: number): string;
/** Decimal units, one decimal: `512 B`, `3.2 kB`, `3.2 MB`, `1.4 GB`. */
export declare function formatBytes(bytes: number): string;
