/*
 * Frame writer with batching. Sending many small frames as separate socket
 * writes costs a syscall and a write request each; instead, frames sent in the
 * same run of JavaScript (one event plus its microtasks) are laid out back to
 * back in one slab and written once, from a microtask, so a lone frame is not
 * delayed to a later turn of the event loop:
 *
 *   send() ─► small payload? ─yes─► copy into slab ──────────────┐
 *                 │ no                                           ├─► flush (microtask) ─► one write
 *                 └─► flush slab, then header + payload as is ───┘
 *
 * Payloads of 16 KiB or more are never copied: their header is written, then
 * the caller's bytes themselves. JSON text is UTF-8 encoded straight into the
 * slab. A batch that passes 2 KiB is written at once rather than at the end of
 * the run, so the peer can start on it while the rest is being encoded.
 */
import { HEADER_SIZE, writeHeader } from './frame.js';
const SLAB_SIZE = 64 * 1024;
const DIRECT_THRESHOLD = 16 * 1024;
const FLUSH_AT = 2 * 1024;
const RESOLVED = Promise.resolve();
export class FrameWriter {
    sink;
    slab;
    /** Start of the current batch in the slab; bytes before it were handed to the sink and are never touched again. */
    start = 0;
    /** End of the current batch. */
    used = 0;
    scheduled = false;
    closed = false;
    flushBound = () => this.flush();
    constructor(sink) {
        this.sink = sink;
    }
    /**
     * Queues one frame. `prefix` is written before `payload` inside the same
     * frame (the job frame's handler name), so neither has to be concatenated.
     */
    send(kind, enc, id, payload, prefix) {
        if (this.closed)
            return;
        if (typeof payload === 'string') {
            // text is UTF-8 encoded straight into the slab; only long text becomes a buffer of its own
            if (payload.length * 3 >= DIRECT_THRESHOLD)
                payload = Buffer.from(payload, 'utf8');
            else
                return this.sendText(kind, enc, id, payload, prefix);
        }
        const prefixLength = prefix ? prefix.byteLength : 0;
        const payloadLength = payload ? payload.byteLength : 0;
        const length = prefixLength + payloadLength;
        if (payloadLength >= DIRECT_THRESHOLD) {
            this.flush();
            const head = Buffer.allocUnsafe(HEADER_SIZE + prefixLength);
            writeHeader(head, 0, length, kind, enc, id);
            if (prefix)
                head.set(prefix, HEADER_SIZE);
            this.sink.cork?.();
            this.sink.write(head);
            this.sink.write(payload);
            this.sink.uncork?.();
            return;
        }
        const at = this.reserve(kind, enc, id, length, prefix);
        if (payload)
            this.slab.set(payload, at);
        this.scheduleFlush();
    }
    /** Encodes text straight into the slab, then writes the header once its UTF-8 length is known (one pass over the text). */
    sendText(kind, enc, id, text, prefix) {
        const prefixLength = prefix ? prefix.byteLength : 0;
        const slab = this.room(HEADER_SIZE + prefixLength + text.length * 3);
        const frame = this.used;
        let at = frame + HEADER_SIZE;
        if (prefix) {
            slab.set(prefix, at);
            at += prefixLength;
        }
        const written = slab.write(text, at, 'utf8');
        writeHeader(slab, frame, prefixLength + written, kind, enc, id);
        this.used = at + written;
        this.scheduleFlush();
    }
    /** Makes room in the slab for a frame, writes its header and prefix, and returns where its payload goes. */
    reserve(kind, enc, id, length, prefix) {
        const size = HEADER_SIZE + length;
        const slab = this.room(size);
        writeHeader(slab, this.used, length, kind, enc, id);
        let at = this.used + HEADER_SIZE;
        if (prefix) {
            slab.set(prefix, at);
            at += prefix.byteLength;
        }
        this.used += size;
        return at;
    }
    /** Returns a slab with at least `size` free bytes after the current batch, flushing and starting a new one if needed. */
    room(size) {
        if (!this.slab || this.used + size > this.slab.length) {
            this.flush();
            this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, size));
            this.start = 0;
            this.used = 0;
        }
        return this.slab;
    }
    /**
     * Flushes from a microtask; a batch that reaches FLUSH_AT bytes goes out at
     * once, so the peer starts on it while the rest of the batch is encoded.
     */
    scheduleFlush() {
        if (this.used - this.start >= FLUSH_AT)
            this.flush();
        else if (!this.scheduled) {
            this.scheduled = true;
            // a microtask through a resolved promise: about a third of queueMicrotask()'s cost in Node 20
            RESOLVED.then(this.flushBound);
        }
    }
    /** Writes whatever is batched now; called from a microtask after the sends, and before large frames. */
    flush() {
        this.scheduled = false;
        if (!this.slab || this.used === this.start)
            return;
        const chunk = this.slab.subarray(this.start, this.used);
        // the rest of the slab is used for the next batches; what was handed to the sink is never touched again
        this.start = this.used;
        if (this.slab.length - this.used < 4 * 1024)
            this.slab = undefined;
        this.sink.write(chunk);
    }
    /** Stops writing; frames sent afterwards are dropped (the peer is gone). */
    close() {
        this.closed = true;
        this.slab = undefined;
        this.start = 0;
        this.used = 0;
    }
}
//# sourceMappingURL=writer.js.map