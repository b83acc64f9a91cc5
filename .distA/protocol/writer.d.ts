import { type FrameKind } from './frame.js';
export interface FrameSink {
    write(chunk: Uint8Array): boolean;
    /** When the sink has them (a net.Socket does), a large frame's header and payload go out in one writev. */
    cork?(): void;
    uncork?(): void;
}
export declare class FrameWriter {
    private readonly sink;
    private slab;
    /** Start of the current batch in the slab; bytes before it were handed to the sink and are never touched again. */
    private start;
    /** End of the current batch. */
    private used;
    private scheduled;
    private closed;
    private readonly flushBound;
    constructor(sink: FrameSink);
    /**
     * Queues one frame. `prefix` is written before `payload` inside the same
     * frame (the job frame's handler name), so neither has to be concatenated.
     */
    send(kind: FrameKind, enc: number, id: number, payload?: Uint8Array | string, prefix?: Uint8Array): void;
    /** Encodes text straight into the slab, then writes the header once its UTF-8 length is known (one pass over the text). */
    private sendText;
    /** Makes room in the slab for a frame, writes its header and prefix, and returns where its payload goes. */
    private reserve;
    /** Returns a slab with at least `size` free bytes after the current batch, flushing and starting a new one if needed. */
    private room;
    /**
     * Flushes from a microtask; a batch that reaches FLUSH_AT bytes goes out at
     * once, so the peer starts on it while the rest of the batch is encoded.
     */
    private scheduleFlush;
    /** Writes whatever is batched now; called from a microtask after the sends, and before large frames. */
    flush(): void;
    /** Stops writing; frames sent afterwards are dropped (the peer is gone). */
    close(): void;
}
