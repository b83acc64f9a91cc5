/**
 * Returns a chunk handler that calls `onLine` once per complete line. A partial
 * line is held until its end arrives (or until `flush` at stream end); a line
 * longer than 64 KiB is emitted in pieces rather than buffered without bound.
 */
export declare function createLineSplitter(onLine: (line: string) => void): {
    push(chunk: Buffer): void;
    flush(): void;
};
/**
 * Keeps the last bytes of a stream (8 KiB), for crash reports, and splits them into lines (at most 30) only
 * when asked. It is fed every raw chunk, so it holds the stream's true end even when lines were dropped from
 * the log (a flooding worker); each chunk costs one bounded copy, and nothing is decoded until a crash.
 */
export declare class TailBuffer {
    private readonly maxLines;
    private readonly buffer;
    private length;
    /** Bytes were discarded and the window starts inside a line, whose first piece is not shown. */
    private cut;
    constructor(maxLines?: number, maxBytes?: number);
    push(chunk: Buffer): void;
    toString(): string;
}
