/*
 * The shapes carried by each frame kind, and the small codecs for the frames
 * whose payload is more than one value. Both sides build and read frames only
 * through these, so the wire format lives in one place.
 */
import { ProtocolError } from '../errors.js';
import { PROTOCOL_VERSION } from './frame.js';
/** The handler name of the default export. */
export const DEFAULT_HANDLER = 'default';
const prefixCache = new Map();
/** Largest `meta` a job may carry, in UTF-8 bytes of its JSON. */
export const MAX_META_SIZE = 0xffff;
/** Job frame flag: the job has an input stream (`ctx.input`); its chunks follow in Chunk frames, then InputEnd. */
export const JOB_HAS_INPUT = 1;
/**
 * Encodes what a job frame carries before its value: the handler name (a
 * length byte, then UTF-8; the default handler is empty), the attempt number
 * (u16; 1 for the first), a flags byte (JOB_HAS_INPUT), and the job's `meta`
 * as JSON text (u16 length, then UTF-8; empty for none). Cached per name for
 * first attempts without meta or input, which is nearly every job: a program
 * uses only a few names.
 */
export function jobPrefix(name, attempt = 1, meta, flags = 0) {
    const plain = attempt === 1 && meta === undefined && flags === 0;
    let prefix = plain ? prefixCache.get(name) : undefined;
    if (prefix)
        return prefix;
    const bytes = Buffer.from(name === DEFAULT_HANDLER ? '' : name, 'utf8');
    if (bytes.length > 255)
        throw new ProtocolError(`Handler name is too long (${bytes.length} bytes; 255 at most)`, 'ERR_PROTOCOL');
    const metaLength = meta === undefined ? 0 : Buffer.byteLength(meta, 'utf8');
    if (metaLength > MAX_META_SIZE)
        throw new ProtocolError(`Job meta is too large (${metaLength} bytes of JSON; ${MAX_META_SIZE} at most)`, 'ERR_PROTOCOL');
    prefix = Buffer.allocUnsafe(1 + bytes.length + 5 + metaLength);
    prefix[0] = bytes.length;
    bytes.copy(prefix, 1);
    let at = 1 + bytes.length;
    prefix.writeUInt16BE(Math.min(attempt, 0xffff), at);
    prefix[at + 2] = flags;
    prefix.writeUInt16BE(metaLength, at + 3);
    at += 5;
    if (meta !== undefined)
        prefix.write(meta, at, 'utf8');
    if (plain && prefixCache.size < 1024)
        prefixCache.set(name, prefix);
    return prefix;
}
/** Splits a job frame's payload into handler name, attempt, flags, meta and value bytes. */
export function parseJobPayload(payload) {
    if (payload.length < 1)
        throw new ProtocolError('Job frame without a handler name', 'ERR_PROTOCOL');
    const nameLength = payload[0];
    let at = 1 + nameLength;
    if (payload.length < at + 5)
        throw new ProtocolError('Job frame shorter than its header', 'ERR_PROTOCOL');
    const name = nameLength === 0 ? DEFAULT_HANDLER : payload.toString('utf8', 1, at);
    const attempt = payload.readUInt16BE(at);
    const flags = payload[at + 2];
    const metaLength = payload.readUInt16BE(at + 3);
    at += 5;
    if (payload.length < at + metaLength)
        throw new ProtocolError('Job frame shorter than its meta', 'ERR_PROTOCOL');
    const meta = metaLength === 0 ? undefined : payload.toString('utf8', at, at + metaLength);
    return { name, attempt, flags, meta, value: payload.subarray(at + metaLength) };
}
/** A Credit frame's payload: how many more chunks the other side may send (u32). */
export function creditPayload(count) {
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(count, 0);
    return payload;
}
/** Reads a Credit frame's payload. */
export function readCredit(payload) {
    if (payload.length !== 4)
        throw new ProtocolError('Malformed credit frame', 'ERR_PROTOCOL_MALFORMED');
    return payload.readUInt32BE(0);
}
export function encodeJson(value) {
    return Buffer.from(JSON.stringify(value), 'utf8');
}
/** Parses a JSON control payload, turning bad JSON into a ProtocolError. */
export function parseJson(payload, what) {
    try {
        return JSON.parse(payload.toString('utf8'));
    }
    catch (error) {
        throw new ProtocolError(`Malformed JSON in a ${what} frame: ${error.message}`, 'ERR_PROTOCOL_MALFORMED', { cause: error });
    }
}
/** Checks a hello against this side's protocol version; throws a coded error on mismatch. */
export function checkHello(hello) {
    if (!hello || typeof hello !== 'object' || typeof hello.version !== 'number' || !Array.isArray(hello.handlers)) {
        throw new ProtocolError('Malformed hello frame', 'ERR_PROTOCOL_MALFORMED');
    }
    if (hello.version !== PROTOCOL_VERSION) {
        throw new ProtocolError(`Protocol version mismatch: the worker speaks version ${hello.version}, the supervisor speaks ${PROTOCOL_VERSION}. Use the same supervise version on both sides`, 'ERR_PROTOCOL_VERSION');
    }
}
/** Worker exit codes that carry meaning to the supervisor, like Gunicorn's boot-error codes. */
export const WorkerExit = {
    /** The module failed to load or exports no handler: restarting will not help. */
    BootFailure: 3,
    /** The supervisor sent bytes that are not valid frames. */
    ProtocolError: 5,
};
//# sourceMappingURL=messages.js.map