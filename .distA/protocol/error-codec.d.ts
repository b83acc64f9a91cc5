import type { SerializedError } from './messages.js';
/** Turns anything thrown into plain data that JSON carries intact. */
export declare function serializeError(error: unknown, depth?: number): SerializedError;
/** Rebuilds an Error from its serialized form, as its own class when it is one of ours. */
export declare function deserializeError(data: SerializedError): Error;
