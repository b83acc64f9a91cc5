// How results are printed: NDJSON records for machines, Send/Echo lines for people.
import { inspect } from 'node:util';
/**
 * JSON.stringify replacer for NDJSON output. JSON has no bytes, BigInt or Map,
 * so these are written in a documented, lossless-enough form: bytes as
 * {"$bytes":"<base64>"}, BigInt as a decimal string, Map as an object, Set as
 * an array, undefined as null.
 */
function replacer(_key, value) {
    if (typeof value === 'bigint')
        return value.toString();
    if (value instanceof Uint8Array)
        return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    if (value && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)) {
        return { $bytes: Buffer.from(value.data).toString('base64') };
    }
    if (value instanceof Map)
        return Object.fromEntries(value);
    if (value instanceof Set)
        return [...value];
    return value;
}
export function errorRecord(error) {
    const code = error.code;
    return {
        name: error?.name ?? 'Error',
        message: error?.message ?? String(error),
        ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    };
}
export function ndjsonLine(id, ok, value) {
    const record = ok ? { id, ok, result: value === undefined ? null : value } : { id, ok, error: errorRecord(value) };
    return `${JSON.stringify(record, replacer)}\n`;
}
/** A line about a job still running: `{"id":3,"chunk":…}` or `{"id":3,"progress":…}`. */
export function taggedLine(id, tag, value) {
    return `${JSON.stringify({ id, [tag]: value === undefined ? null : value }, replacer)}\n`;
}
export function show(value) {
    return inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 32, maxStringLength: 200 });
}
//# sourceMappingURL=format.js.map