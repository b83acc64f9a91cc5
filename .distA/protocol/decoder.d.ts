import { type Frame } from './frame.js';
export interface DecoderOptions {
    /** Largest payload accepted, in bytes. @default 64 MiB */
    maxFrameSize?: number;
}
export declare class FrameDecoder {
    readonly maxFrameSize: number;
    private chunks;
    /** Read offset into chunks[0]. */
    private offset;
    private buffered;
    private failed;
    /** Holds a header that straddles two chunks. */
    private readonly scratch;
    constructor(options?: DecoderOptions);
    /** Bytes received but not yet returned as frames. */
    get pending(): number;
    /**
     * Feeds one chunk and calls `onFrame` for every complete frame in order.
     * Throws a ProtocolError on bad input; after that the decoder stays failed,
     * because a byte stream cannot be resynchronised once framing is lost.
     */
    push(chunk: Buffer, onFrame: (frame: Frame) => void): void;
    /**
     * Called when the stream ends. Throws if a partial frame is left over, so a
     * truncated frame is reported instead of silently dropped.
     */
    end(): void;
    private fail;
    private skip;
    private take;
    private advance;
    /** Copies `n` bytes spread over several chunks into one buffer (`into`, or a new one), optionally consuming them. */
    private copyOut;
}
