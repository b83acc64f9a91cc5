import { StringDecoder } from 'node:string_decoder';
// Splits a byte stream into whole lines, so one worker's half line is never spliced into another log record.
const MAX_LINE = 64 * 1024;
/**
 * Returns a chunk handler that calls `onLine` once per complete line. A partial
 * line is held until its end arrives (or until `flush` at stream end); a line
 * longer than 64 KiB is emitted in pieces rather than buffered without bound.
 */
export function createLineSplitter(onLine) {
    let partial = '';
    const decoder = new StringDecoder('utf8');
    return {
        push(chunk) {
            const text = partial + decoder.write(chunk);
            let start = 0;
            let end;
            while ((end = text.indexOf('\n', start)) !== -1) {
                onLine(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
                start = end + 1;
            }
            partial = text.slice(start);
            if (partial.length > MAX_LINE) {
                onLine(partial);
                partial = '';
            }
        },
        flush() {
            partial += decoder.end();
            if (partial)
                onLine(partial);
            partial = '';
        },
    };
}
/**
 * Keeps the last bytes of a stream (8 KiB), for crash reports, and splits them into lines (at most 30) only
 * when asked. It is fed every raw chunk, so it holds the stream's true end even when lines were dropped from
 * the log (a flooding worker); each chunk costs one bounded copy, and nothing is decoded until a crash.
 */
export class TailBuffer {
    maxLines;
    buffer;
    length = 0;
    /** Bytes were discarded and the window starts inside a line, whose first piece is not shown. */
    cut = false;
    constructor(maxLines = 30, maxBytes = 8 * 1024) {
        this.maxLines = maxLines;
        this.buffer = Buffer.alloc(maxBytes);
    }
    push(chunk) {
        const size = this.buffer.length;
        const total = this.length + chunk.length;
        if (total <= size) {
            chunk.copy(this.buffer, this.length);
            this.length = total;
            return;
        }
        // keep the last `size` bytes of (window + chunk); `drop` bytes go, from the window first
        const drop = total - size;
        this.cut = (drop <= this.length ? this.buffer[drop - 1] : chunk[drop - this.length - 1]) !== 10;
        if (drop < this.length) {
            this.buffer.copyWithin(0, drop, this.length);
            chunk.copy(this.buffer, this.length - drop);
        }
        else {
            chunk.copy(this.buffer, 0, drop - this.length);
        }
        this.length = size;
    }
    toString() {
        if (this.length === 0)
            return '';
        const lines = this.buffer.toString('utf8', 0, this.length).split('\n');
        if (lines[lines.length - 1] === '')
            lines.pop();
        if (this.cut && lines.length > 1)
            lines.shift();
        const last = lines.slice(-this.maxLines);
        for (let i = 0; i < last.length; i++)
            if (last[i].endsWith('\r'))
                last[i] = last[i].slice(0, -1);
        return last.join('\n');
    }
}
//# sourceMappingURL=line-splitter.js.map