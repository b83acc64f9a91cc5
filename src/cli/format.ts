// How results are printed: NDJSON records for machines, plain lines for people.
import { inspect } from 'node:util';
import type { RunOutcome } from '../define-run.js';
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

/**
 * A run file's result as a person reads it, whatever the handler does: a string as it is, any other value as
 * util.inspect shows it, on stdout; a failure as one line on stderr.
 */
export function describeOutcome(outcome: RunOutcome): { stdout?: string; stderr?: string } {
  if (!outcome.ok) {
    const error = outcome.error as Error | undefined;
    return { stderr: `supervise: job ${outcome.index} (${show(outcome.payload)}) failed: ${error?.name ?? 'Error'}: ${(error?.message ?? String(error)).split('\n')[0]}\n` };
  }
  return { stdout: `${typeof outcome.result === 'string' ? outcome.result : show(outcome.result)}\n` };
}

/** `supervise: 1,000 done, 2 failed in 3.2 s (312/s)` */
export function summaryLine(done: number, failed: number, ms: number): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const rateText = rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1);
  const time = seconds >= 10 ? `${seconds.toFixed(0)} s` : `${seconds.toFixed(1)} s`;
  return `supervise: ${(done - failed).toLocaleString('en-US')} done, ${failed.toLocaleString('en-US')} failed in ${time} (${rateText}/s)\n`;
}
