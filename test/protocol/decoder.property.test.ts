import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { encodeFrame, type Frame, FrameDecoder, HEADER_SIZE } from '../../src/protocol/index.js';
import { guardAllocations, type PlainFrame, plain, rawHeader } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const NUM_RUNS = 500;
const u32 = fc.integer({ min: 0, max: 0xffffffff });

// Written out from the spec in frame.ts on purpose, not imported: the oracle must not share the decoder's tables.
const KNOWN_KINDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const KNOWN_ENCS = [0, 1, 2, 3, 4, 5];
const PROTOCOL_CODES = new Set(['ERR_FRAME_TOO_LARGE', 'ERR_PROTOCOL_UNKNOWN_KIND', 'ERR_PROTOCOL', 'ERR_PROTOCOL_TRUNCATED']);

/** Cuts `bytes` into copied chunks at the cut points (seeds taken modulo the length; repeats make empty chunks). */
function chunk(bytes: Buffer, seeds: readonly number[]): Buffer[] {
  const cuts = seeds.map((s) => s % (bytes.length + 1)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(start, cut)));
    start = cut;
  }
  return out;
}

/**
 * Reference decoder: reads a complete byte string front to back by the rules in
 * frame.ts. Returns the frames before the first bad header, and the error codes
 * that header (or a leftover partial frame) justifies.
 */
function reference(bytes: Buffer, limit: number): { frames: PlainFrame[]; failure: string[] | null } {
  const frames: PlainFrame[] = [];
  let at = 0;
  while (bytes.length - at >= HEADER_SIZE) {
    const length = bytes.readUInt32BE(at);
    const kind = bytes[at + 4];
    const enc = bytes[at + 5];
    const reserved = bytes.readUInt16BE(at + 6);
    const id = bytes.readUInt32BE(at + 8);
    const bad: string[] = [];
    if (!KNOWN_KINDS.includes(kind)) bad.push('ERR_PROTOCOL_UNKNOWN_KIND');
    if (!KNOWN_ENCS.includes(enc) || reserved !== 0) bad.push('ERR_PROTOCOL');
    if (length > limit) bad.push('ERR_FRAME_TOO_LARGE');
    if (bad.length > 0) return { frames, failure: bad };
    if (bytes.length - at - HEADER_SIZE < length) break;
    frames.push({ kind, enc, id, payload: bytes.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length).toString('hex') });
    at += HEADER_SIZE + length;
  }
  return { frames, failure: at < bytes.length ? ['ERR_PROTOCOL_TRUNCATED'] : null };
}

/** Usually `valid`, sometimes a boundary value, sometimes anything. */
function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>, any: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: edge }, { weight: 1, arbitrary: any });
}

const arbFrame = fc.record({
  kind: fc.constantFrom(...KNOWN_KINDS),
  enc: fc.constantFrom(...KNOWN_ENCS),
  id: u32,
  payload: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 6000 }) },
  ),
});

describe('FrameDecoder properties', () => {
  it('decodes any chunking of a valid stream into the frames that were encoded', () => {
    fc.assert(
      fc.property(
        fc.array(arbFrame, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, seeds) => {
          const stream = Buffer.concat(frames.map((f) => encodeFrame(f.kind as Frame['kind'], f.enc, f.id, f.payload)));
          const decoder = new FrameDecoder();
          const got: Frame[] = [];
          for (const piece of chunk(stream, seeds)) decoder.push(piece, (f) => got.push(f));
          expect(decoder.pending).toBe(0);
          decoder.end();
          expect(got.map(plain)).toEqual(
            frames.map((f) => ({ kind: f.kind, enc: f.enc, id: f.id, payload: Buffer.from(f.payload).toString('hex') })),
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('on arbitrary bytes in arbitrary chunks, decodes what is valid, throws only ProtocolError, and never buffers or allocates past the limit', () => {
    const LIMIT = 1024;
    // a mix that reaches every path: good frames (some just over the limit), headers with
    // random fields and bodies, raw garbage; then possibly cut short
    const arbPiece = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({
            kind: fc.constantFrom(...KNOWN_KINDS),
            enc: fc.constantFrom(...KNOWN_ENCS),
            id: u32,
            // mostly small, often right at the limit (LIMIT - 1 .. LIMIT + 1), sometimes anywhere up to past it
            payload: fc.oneof(
              { weight: 3, arbitrary: fc.uint8Array({ maxLength: 32 }) },
              { weight: 2, arbitrary: fc.uint8Array({ minLength: LIMIT - 1, maxLength: LIMIT + 1 }) },
              { weight: 1, arbitrary: fc.uint8Array({ maxLength: LIMIT + 64 }) },
            ),
          })
          .map((f) => encodeFrame(f.kind as Frame['kind'], f.enc, f.id, f.payload)),
      },
      {
        weight: 3,
        arbitrary: fc
          .record({
            // each field mostly valid, so headers with a single fault (which only one check catches) are common
            length: mostly(fc.integer({ min: 0, max: LIMIT }), fc.constantFrom(LIMIT + 1, 0xffffffff), u32),
            kind: mostly(fc.constantFrom(...KNOWN_KINDS), fc.constantFrom(0, 14, 255), fc.integer({ min: 0, max: 255 })),
            enc: mostly(fc.constantFrom(...KNOWN_ENCS), fc.constantFrom(5, 255), fc.integer({ min: 0, max: 255 })),
            reserved: mostly(fc.constant(0), fc.constantFrom(1, 0x100, 0xffff), fc.integer({ min: 0, max: 0xffff })),
            id: u32,
          })
          .chain((h) =>
            // a body as long as the header says keeps the stream in step; a random one desynchronises it
            fc
              .oneof(fc.uint8Array({ minLength: Math.min(h.length, LIMIT + 16), maxLength: Math.min(h.length, LIMIT + 16) }), fc.uint8Array({ maxLength: LIMIT + 16 }))
              .map((body) => Buffer.concat([rawHeader(h), body])),
          ),
      },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)) }, // garbage
    );
    const arbStream = fc
      .tuple(fc.array(arbPiece, { maxLength: 10 }), fc.option(fc.nat(), { freq: 3 }))
      .map(([pieces, cut]) => {
        const all = Buffer.concat(pieces);
        return cut === null ? all : all.subarray(0, cut % (all.length + 1));
      });

    // any allocation over the limit while the decoder runs is refused and recorded
    const allocations = guardAllocations(LIMIT);

    let failures = 0;
    fc.assert(
      fc.property(arbStream, fc.array(fc.nat(), { maxLength: 30 }), (stream, seeds) => {
        const expected = reference(stream, LIMIT);
        const decoder = new FrameDecoder({ maxFrameSize: LIMIT });
        const got: Frame[] = [];
        let pushed = 0;
        let consumed = 0;
        let error: unknown;
        const onFrame = (f: Frame) => {
          expect(f.payload.length).toBeLessThanOrEqual(LIMIT);
          consumed += HEADER_SIZE + f.payload.length;
          got.push(f);
        };
        const attempt = (step: () => void): boolean => {
          try {
            step();
            return true;
          } catch (e) {
            error = e;
            return false;
          }
        };
        for (const piece of chunk(stream, seeds)) {
          pushed += piece.length;
          if (!attempt(() => allocations.watch(() => decoder.push(piece, onFrame)))) break;
          // exact accounting: what is pending is what was pushed and not yet handed out...
          expect(decoder.pending).toBe(pushed - consumed);
          // ...and that is always less than one header plus one frame at the limit
          expect(decoder.pending).toBeLessThan(HEADER_SIZE + LIMIT);
        }
        if (error === undefined) attempt(() => allocations.watch(() => decoder.end()));
        // the decoder never asks for a buffer bigger than the limit, whatever the header claims
        expect(allocations.refused).toEqual([]);

        expect(got.map(plain)).toEqual(expected.frames);
        if (expected.failure === null) {
          expect(error).toBeUndefined();
        } else {
          failures++;
          expect(error).toBeInstanceOf(ProtocolError);
          const code = (error as ProtocolError).code;
          expect(PROTOCOL_CODES.has(code)).toBe(true);
          expect(expected.failure).toContain(code);
          // failed for good: the same error again, nothing buffered, no frames
          expect(decoder.pending).toBe(0);
          let again: unknown;
          try {
            decoder.push(encodeFrame(1, 0, 0), onFrame);
          } catch (e) {
            again = e;
          }
          expect(again).toBe(error);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // the generator must actually reach the error paths, or this test proves little
    expect(failures).toBeGreaterThan(NUM_RUNS / 10);
    expect(allocations.sizes.length).toBeGreaterThan(0);
  });
});
