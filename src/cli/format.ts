// How results are printed: NDJSON records for machines, Send/Echo lines for people.
import { inspect } from 'node:util';
import type { SerializedError } from '../protocol/index.js';

/**
 * JSON.stringify replacer for NDJSON output. JSON has no bytes, BigInt or Map,
 * so these are written in a documented, lossless-enough form: bytes as
 * {"$bytes":"<base64>"}, BigInt as a decimal string, Map as an object, Set as
 * an array, undefined as null.
 */
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $bytes: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

export function errorRecord(error: Error): Pick<SerializedError, 'name' | 'message' | 'code'> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error?.name ?? 'Error',
    message: error?.message ?? String(error),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  };
}

export function ndjsonLine(id: number, ok: boolean, value: unknown): string {
  const record = ok ? { id, ok, result: value === undefined ? null : value } : { id, ok, error: errorRecord(value as Error) };
  return `${JSON.stringify(record, replacer)}\n`;
}

/** A line about a job still running: `{"id":3,"chunk":…}` or `{"id":3,"progress":…}`. */
export function taggedLine(id: number, tag: 'chunk' | 'progress', value: unknown): string {
  return `${JSON.stringify({ id, [tag]: value === undefined ? null : value }, replacer)}\n`;
}

export function show(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 32, maxStringLength: 200 });
}
