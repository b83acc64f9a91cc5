/*
 * Errors across the channel. A handler's error reaches the caller with its
 * name, message, stack, code and the whole cause chain, plus any other own
 * enumerable data properties (errno, path, statusCode, ...). Errors whose name
 * is one of supervise's coded classes come back as that class, so
 * `instanceof` and `code` checks work on both sides.
 */
import { errorClasses } from '../errors.js';
const MAX_CAUSE_DEPTH = 16;
const RESERVED = new Set(['name', 'message', 'stack', 'code', 'cause']);
/** Turns anything thrown into plain data that JSON carries intact. */
export function serializeError(error, depth = 0) {
    if (!(error instanceof Error)) {
        return { name: 'Error', message: `Non-error thrown: ${describe(error)}`, props: { thrown: jsonSafe(error) } };
    }
    const out = { name: error.name, message: error.message, stack: error.stack };
    const code = error.code;
    if (typeof code === 'string' || typeof code === 'number')
        out.code = code;
    if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
        out.cause = error.cause instanceof Error ? serializeError(error.cause, depth + 1) : { value: causeValue(error.cause) };
    }
    for (const key of Object.keys(error)) {
        if (RESERVED.has(key))
            continue;
        const value = jsonSafe(error[key]);
        if (value !== undefined)
            (out.props ??= {})[key] = value;
    }
    return out;
}
/** Rebuilds an Error from its serialized form, as its own class when it is one of ours. */
export function deserializeError(data) {
    const Known = Object.hasOwn(errorClasses, data.name) ? errorClasses[data.name] : undefined;
    const Class = Known ?? Error;
    const error = Object.create(Class.prototype);
    Object.defineProperty(error, 'message', { value: String(data.message ?? ''), writable: true, configurable: true });
    if (data.props)
        Object.assign(error, data.props);
    if (!Known)
        Object.defineProperty(error, 'name', { value: String(data.name ?? 'Error'), writable: true, configurable: true });
    else
        error.name = data.name;
    Object.defineProperty(error, 'stack', { value: data.stack ?? `${data.name}: ${data.message}`, writable: true, configurable: true });
    if (data.code !== undefined)
        error.code = data.code;
    if (data.cause !== undefined) {
        const cause = 'value' in data.cause && !('message' in data.cause) ? data.cause.value : deserializeError(data.cause);
        Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
    }
    return error;
}
/** A non-error cause as JSON data; what JSON would drop (a function, a symbol) is described instead. */
function causeValue(cause) {
    const value = jsonSafe(cause);
    return value === undefined ? describe(cause) : value;
}
function jsonSafe(value) {
    try {
        const text = JSON.stringify(value);
        return text === undefined ? undefined : JSON.parse(text);
    }
    catch {
        return describe(value);
    }
}
function describe(value) {
    try {
        return typeof value === 'string' ? value : String(value);
    }
    catch {
        return Object.prototype.toString.call(value);
    }
}
//# sourceMappingURL=error-codec.js.map