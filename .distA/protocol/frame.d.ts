export declare const HEADER_SIZE = 12;
export declare const PROTOCOL_VERSION = 2;
export declare const DEFAULT_MAX_FRAME_SIZE: number;
/** Chunks a generator handler may send before the caller takes any: the credit window, the same on both sides. */
export declare const STREAM_WINDOW = 16;
/**
 * The sender also holds back while this many bytes of chunks are unread (a
 * chunk larger than this still goes when nothing else is unread), so big
 * chunks do not pile up 16 deep in the reader's memory.
 */
export declare const STREAM_BYTE_WINDOW: number;
/** Bytes a chunk's encoded data counts for against STREAM_BYTE_WINDOW. */
export declare function chunkBytes(data: Uint8Array | string): number;
/**
 * What a sender of chunks has in flight: their sizes, oldest first. A credit
 * of n from the reader means the n oldest were taken.
 */
export declare class SentChunks {
    private readonly sizes;
    bytes: number;
    sent(size: number): void;
    taken(count: number): void;
    /** Whether the byte window is full (and something is unread). */
    get full(): boolean;
}
export declare const FrameKind: {
    /** worker → supervisor, once, after the module loaded: { version, pid, handlers } */
    readonly Hello: 1;
    /** supervisor → worker: run a job; payload is handler name, attempt, meta, then the value */
    readonly Job: 2;
    /** worker → supervisor: the job's result value */
    readonly Result: 3;
    /** worker → supervisor: the job's error, as a serialized error */
    readonly Error: 4;
    /** supervisor → worker: abort the job's ctx.signal */
    readonly Cancel: 5;
    /** worker → supervisor: liveness and resource usage, JSON */
    readonly Heartbeat: 6;
    /** supervisor → worker: finish in-flight jobs, then exit */
    readonly Shutdown: 7;
    /** worker → supervisor: the module could not be loaded; serialized error, then exit */
    readonly BootError: 8;
    /** worker → supervisor: the job's latest progress value (ctx.progress) */
    readonly Progress: 9;
    /** worker → supervisor: one chunk a generator handler yielded (the result frame ends the stream);
     *  supervisor → worker: one chunk of the job's input (`ctx.input`) */
    readonly Chunk: 10;
    /** the reader took chunks; payload u32, how many more the other side may send (both directions) */
    readonly Credit: 11;
    /** supervisor → worker: the job's input ended; empty, or a serialized error when its source failed */
    readonly InputEnd: 12;
};
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];
/** The frame kind's name for messages, or `unknown(n)`. */
export declare function kindName(kind: number): string;
export declare function isKnownKind(kind: number): kind is FrameKind;
export interface Frame {
    kind: FrameKind;
    enc: number;
    id: number;
    payload: Buffer;
}
/** Writes a frame header into `target` at `offset`; used by the encoders so a batch is built in one buffer. */
export declare function writeHeader(target: Buffer, offset: number, length: number, kind: number, enc: number, id: number): void;
/** Encodes one frame into a fresh buffer (header + payload in one allocation). */
export declare function encodeFrame(kind: FrameKind, enc: number, id: number, payload?: Uint8Array): Buffer;
