// Shared helpers for the protocol tests (not a test file itself).
import { vi } from 'vitest';
import { type Frame, FrameDecoder, HEADER_SIZE } from '../../src/protocol/index.js';

/** A header with every field under the test's control, including ones encodeFrame never produces. */
export function rawHeader(fields: { length: number; kind: number; enc?: number; reserved?: number; id?: number }): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32BE(fields.length, 0);
  h[4] = fields.kind;
  h[5] = fields.enc ?? 0;
  h.writeUInt16BE(fields.reserved ?? 0, 6);
  h.writeUInt32BE(fields.id ?? 0, 8);
  return h;
}

/** Plain-data view of a frame, so frames compare by content with toEqual. */
export interface PlainFrame {
  kind: number;
  enc: number;
  id: number;
  payload: number[] | string;
}

export function plain(frame: Frame): PlainFrame {
  // hex keeps large payloads cheap to compare and readable in a diff
  return { kind: frame.kind, enc: frame.enc, id: frame.id, payload: Buffer.from(frame.payload).toString('hex') };
}

/** Feeds chunks in order and returns every frame, then calls end(). */
export function decodeAll(chunks: readonly Buffer[], decoder = new FrameDecoder()): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push(f));
  decoder.end();
  return frames;
}

/** Splits `bytes` at the given ascending cut points (views, no copies). */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(start, cut));
    start = cut;
  }
  out.push(bytes.subarray(start));
  return out;
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** Deterministic pseudo-random bytes, so large payloads are not all one value. */
export function patternBytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface AllocationGuard {
  /** Sizes requested inside watch(). */
  sizes: number[];
  /** Sizes over the limit requested inside watch(); each was refused with an error. */
  refused: number[];
  /** Runs `fn` with the guard armed; allocations outside it pass through unrecorded. */
  watch<T>(fn: () => T): T;
}

/**
 * Spies on Buffer's allocation functions (restore with vi.restoreAllMocks()).
 * Inside watch(), every requested size is recorded, and a request over `limit`
 * is refused with an error instead of reserving the memory, so a broken size
 * check fails the test rather than exhausting the machine.
 */
export function guardAllocations(limit: number): AllocationGuard {
  let armed = false;
  const record: AllocationGuard = {
    sizes: [],
    refused: [],
    watch<T>(fn: () => T): T {
      armed = true;
      try {
        return fn();
      } finally {
        armed = false;
      }
    },
  };
  const guard = <F extends (size: number, ...rest: never[]) => Buffer>(original: F) =>
    ((size: number, ...rest: never[]) => {
      if (armed) {
        record.sizes.push(size);
        if (size > limit) {
          record.refused.push(size);
          throw new Error(`test guard: refused to allocate ${size} bytes (limit ${limit})`);
        }
      }
      return original.call(Buffer, size, ...rest);
    }) as F;
  // wrap the originals before spying: afterwards Buffer.alloc is the spy itself
  const alloc = guard(Buffer.alloc);
  const allocUnsafe = guard(Buffer.allocUnsafe);
  const allocUnsafeSlow = guard(Buffer.allocUnsafeSlow);
  vi.spyOn(Buffer, 'alloc').mockImplementation(alloc);
  vi.spyOn(Buffer, 'allocUnsafe').mockImplementation(allocUnsafe);
  vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation(allocUnsafeSlow);
  return record;
}
