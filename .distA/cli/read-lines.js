/*
 * Reads a stream as lines of UTF-8 text, pulling only as fast as the consumer
 * takes them, so huge inputs use bounded memory.
 *
 *   chunk ─► lines wholly inside it ─► one UTF-8 check and one decode for all of them ─► split ─► yield each
 *        └─► its unfinished tail ─► pending[] (a list, never re-concatenated) ─► joined once when its newline comes
 *
 * The work is linear in the input: each byte is scanned for a newline once,
 * checked once and decoded once. A line longer than `maxLineBytes` fails as
 * soon as it passes the limit, and the rest of it is skipped as it arrives,
 * never buffered. A line that is not valid UTF-8 fails instead of being
 * changed. Either failure is yielded in the line's place, as an Error, and
 * the lines after it are read as usual.
 */
import { isUtf8 } from 'node:buffer';
import { PayloadError } from '../errors.js';
const NEWLINE = 0x0a;
/**
 * Yields each line (without its newline) as a string, or an Error in place
 * of a line that is too long or not UTF-8. Stops early, without error, when
 * `stopped()` turns true.
 */
export async function* readLines(stream, stopped, options) {
    const { maxLineBytes } = options;
    let line = 0; // lines begun so far: the 1-based number of the current one
    let pending = []; // the start of the current line, from earlier chunks
    let pendingBytes = 0;
    let skipping = false; // the current line is over the limit: its error is out, its bytes are dropped
    try {
        for await (const chunk of stream) {
            let start = 0;
            let end = chunk.indexOf(NEWLINE);
            // the first newline of a chunk may end a line begun in earlier chunks
            if (end !== -1 && (skipping || pendingBytes > 0)) {
                if (stopped())
                    return;
                if (skipping)
                    skipping = false;
                else if (pendingBytes + end > maxLineBytes) {
                    pending = [];
                    pendingBytes = 0;
                    yield tooLarge(++line, maxLineBytes);
                }
                else {
                    pending.push(chunk.subarray(0, end));
                    const bytes = Buffer.concat(pending, pendingBytes + end);
                    pending = [];
                    pendingBytes = 0;
                    yield lineText(bytes, 0, bytes.length, ++line, maxLineBytes, false);
                }
                start = end + 1;
                end = chunk.indexOf(NEWLINE, start);
            }
            if (end !== -1) {
                // Newlines cannot occur inside a multi-byte character, so the lines
                // wholly inside this chunk are all valid UTF-8 exactly when the span
                // that holds them is: one check for the lot.
                const last = chunk.lastIndexOf(NEWLINE);
                const valid = isUtf8(chunk.subarray(start, last));
                if (valid && last - start <= maxLineBytes) {
                    // the usual case: no line here can be too long or bad, so decode the span once and split the string
                    const text = chunk.toString('utf8', start, last + 1);
                    let from = 0;
                    let to = text.indexOf('\n');
                    while (to !== -1) {
                        if (stopped())
                            return;
                        line++;
                        yield text.slice(from, to);
                        from = to + 1;
                        to = text.indexOf('\n', from);
                    }
                    start = last + 1;
                }
                else {
                    do {
                        if (stopped())
                            return;
                        yield lineText(chunk, start, end, ++line, maxLineBytes, valid);
                        start = end + 1;
                        end = chunk.indexOf(NEWLINE, start);
                    } while (end !== -1);
                }
            }
            // the chunk's unfinished tail starts the next line, unless that line is already being skipped
            if (start < chunk.length && !skipping) {
                if (pendingBytes + chunk.length - start > maxLineBytes) {
                    if (stopped())
                        return;
                    pending = [];
                    pendingBytes = 0;
                    skipping = true;
                    yield tooLarge(++line, maxLineBytes);
                }
                else {
                    pending.push(start === 0 ? chunk : chunk.subarray(start));
                    pendingBytes += chunk.length - start;
                }
            }
            if (stopped())
                return;
        }
    }
    catch (error) {
        // input closed under us because we were interrupted: that is a normal end
        if (stopped())
            return;
        throw error;
    }
    // a last line without a newline
    if (pendingBytes > 0 && !stopped()) {
        const bytes = Buffer.concat(pending, pendingBytes);
        yield lineText(bytes, 0, bytes.length, ++line, maxLineBytes, false);
    }
}
/** Bytes `start` to `end` of `chunk` as a string, or the error that line fails with. `valid`: already known to be UTF-8. */
function lineText(chunk, start, end, line, maxLineBytes, valid) {
    if (end - start > maxLineBytes)
        return tooLarge(line, maxLineBytes);
    if (valid || isUtf8(chunk.subarray(start, end)))
        return chunk.toString('utf8', start, end);
    const offset = firstInvalidUtf8(chunk.subarray(start, end));
    return Object.assign(new TypeError(`Input line ${line} is not valid UTF-8 (a bad byte sequence starts at offset ${offset})`), {
        code: 'ERR_INVALID_UTF8',
    });
}
function tooLarge(line, maxLineBytes) {
    return new PayloadError(`Input line ${line} is longer than maxFrameSize (${maxLineBytes} bytes), so it cannot be sent to a worker; the rest of the line was skipped (raise --max-frame-size to allow it)`, { code: 'ERR_PAYLOAD_TOO_LARGE' });
}
/**
 * The offset of the first byte that breaks UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or -1 if there is none.
 * `isUtf8` only says yes or no; this says where, for the error message, and
 * runs only on a line already known to be bad.
 */
export function firstInvalidUtf8(bytes) {
    let i = 0;
    while (i < bytes.length) {
        const lead = bytes[i];
        if (lead < 0x80) {
            i++;
            continue;
        }
        const follow = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
        if (follow === 0)
            return i;
        // the second byte's range is narrower after these leads: it rules out overlong forms, surrogates and values past U+10FFFF
        const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
        const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
        if (i + 1 >= bytes.length || bytes[i + 1] < low || bytes[i + 1] > high)
            return i;
        for (let k = 2; k <= follow; k++) {
            if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80)
                return i;
        }
        i += follow + 1;
    }
    return -1;
}
//# sourceMappingURL=read-lines.js.map