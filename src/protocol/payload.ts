/*
 * Payload encodings: how one JavaScript value (a job's input or result) becomes
 * the bytes of a frame, and back. The `enc` byte of the frame header says which
 * encoding was used:
 *
 *   0 Undefined   no bytes; the value is `undefined`
 *   1 Json        UTF-8 JSON; used for plain data (objects, arrays, strings,
 *                 finite numbers except -0, booleans, null)
 *   2 Uint8Array  the raw bytes, never base64 or a number array
 *   3 Buffer      the raw bytes; comes back as a Buffer
 *   4 Structured  V8 structured clone (node:v8 serialize), for everything JSON
 *                 would corrupt: Map, Set, BigInt, Date, RegExp, NaN/Infinity, -0,
 *                 undefined inside arrays, typed arrays nested in objects,
 *                 circular references, class instances (as plain objects)
 *   5 Text        a string as its UTF-8 bytes, without JSON's quotes and escapes:
 *                 no JSON.stringify to send it, no JSON.parse to read it. Only for
 *                 well-formed strings; one with a lone surrogate goes as Json,
 *                 whose escapes keep it exact.
 *
 * Values that no encoding can carry (functions, symbols, WeakMap, ...) are
 * rejected with a PayloadError; nothing is dropped or mangled silently.
 */
import { createRequire } from 'node:module';
import { PayloadError } from '../errors.js';

export const Enc = {
  Undefined: 0,
  Json: 1,
  Uint8Array: 2,
  Buffer: 3,
  Structured: 4,
  Text: 5,
} as const;
export type Enc = (typeof Enc)[keyof typeof Enc];

export interface EncodedValue {
  enc: Enc;
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const MAX_JSON_DEPTH = 64;

/** True when JSON.stringify round-trips `value` exactly, so the fast JSON encoding is safe. */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON.stringify(-0) is "0": the sign would be lost
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_JSON_DEPTH) return false; // deep or circular: let structured clone decide
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || value[i] === undefined || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        // undefined properties are omitted by JSON; keep them exact through structured clone
        if (item === undefined || !isPlainJson(item, depth + 1)) return false;
      }
      return Object.getOwnPropertySymbols(value).length === 0;
    }
    default:
      return false;
  }
}

/** A value ready for FrameWriter.send: JSON stays text until it is written into the frame, saving a copy. */
export interface WireValue {
  enc: Enc;
  data: Uint8Array | string;
}

/** Encodes a value for the wire, choosing the cheapest encoding that keeps it intact. */
export function encodeValue(value: unknown): EncodedValue {
  const { enc, data } = encodeWireValue(value);
  return { enc, bytes: typeof data === 'string' ? Buffer.from(data, 'utf8') : data };
}

/** Like encodeValue, but JSON is returned as text, which the frame writer encodes straight into its batch. */
export function encodeWireValue(value: unknown): WireValue {
  if (value === undefined) return { enc: Enc.Undefined, data: EMPTY };
  if (value instanceof Uint8Array) {
    return { enc: Buffer.isBuffer(value) ? Enc.Buffer : Enc.Uint8Array, data: value };
  }
  if (typeof value === 'string') return value.isWellFormed() ? { enc: Enc.Text, data: value } : { enc: Enc.Json, data: JSON.stringify(value) };
  if (isPlainJson(value, 0)) return { enc: Enc.Json, data: JSON.stringify(value) };
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new PayloadError(`Cannot send a ${typeof value} as a payload: only data can cross the channel`);
  }
  try {
    return { enc: Enc.Structured, data: v8Module().serialize(value) };
  } catch (error) {
    throw new PayloadError(
      `Cannot send this payload: ${(error as Error).message}. Payloads may hold JSON data, bytes, and what structured clone supports (Map, Set, BigInt, Date, ...), but not functions or symbols`,
      { cause: error },
    );
  }
}

/** Decodes a value; `bytes` may be a view into a larger chunk and is not copied for byte payloads. */
export function decodeValue(enc: number, bytes: Buffer): unknown {
  switch (enc) {
    case Enc.Undefined:
      return undefined;
    case Enc.Json:
      return JSON.parse(bytes.toString('utf8'));
    case Enc.Text:
      return bytes.toString('utf8');
    case Enc.Uint8Array:
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    case Enc.Buffer:
      return bytes;
    case Enc.Structured:
      return v8Module().deserialize(bytes);
    default:
      throw new PayloadError(`Unknown payload encoding ${enc}`);
  }
}

let v8: typeof import('node:v8') | undefined;

// node:v8 is loaded by the first payload that needs structured clone: most workers never see one, and loading it
// costs every process about 1 MiB of memory
function v8Module(): typeof import('node:v8') {
  return (v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8'));
}

export function isKnownEnc(enc: number): boolean {
  return enc >= Enc.Undefined && enc <= Enc.Text;
}

/**
 * Throws a PayloadError when an encoded value (plus `extra` bytes of frame
 * payload, such as the handler name) would make a frame larger than
 * `maxFrameSize`: the receiver would take such a frame for an attack and kill
 * the connection, so the sender refuses it instead, failing only that job.
 */
export function checkFrameSize(data: Uint8Array | string, extra: number, maxFrameSize: number, what: string): void {
  let size: number;
  if (typeof data !== 'string') size = data.byteLength;
  else if ((data.length * 3) + extra <= maxFrameSize) return; // UTF-8 takes at most 3 bytes per UTF-16 unit
  else size = Buffer.byteLength(data, 'utf8');
  if (size + extra > maxFrameSize) {
    throw new PayloadError(`The ${what} takes ${size + extra} bytes, more than maxFrameSize (${maxFrameSize} bytes) allows on the channel`, {
      code: 'ERR_PAYLOAD_TOO_LARGE',
    });
  }
}
