import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  Enc,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameKind,
  HEADER_SIZE,
} from '../../src/protocol/index.js';
import { decodeAll, guardAllocations, patternBytes, plain, rawHeader, splitAt, thrown } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Small frames of several kinds, encodings and ids, including empty payloads. */
function smallFrames(): Buffer[] {
  return [
    encodeFrame(FrameKind.Hello, Enc.Json, 0, Buffer.from('{"version":1,"pid":42,"handlers":["default"]}')),
    encodeFrame(FrameKind.Job, Enc.Json, 1, Buffer.from('\u0003add[1,2]')),
    encodeFrame(FrameKind.Heartbeat, Enc.Undefined, 0),
    encodeFrame(FrameKind.Result, Enc.Uint8Array, 0xffffffff, Buffer.from([0, 1, 2, 0xff])),
    encodeFrame(FrameKind.Cancel, Enc.Undefined, 7),
  ];
}

function expectProtocolError(error: unknown, code: string): ProtocolError {
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(code);
  return error as ProtocolError;
}

describe('FrameDecoder: chunking', () => {
  it('decodes identically however a multi-frame stream with a large frame is split in two', () => {
    const large = patternBytes(24 * 1024, 7);
    const frames = [
      ...smallFrames().slice(0, 2),
      encodeFrame(FrameKind.Result, Enc.Buffer, 3, large),
      ...smallFrames().slice(2),
    ];
    const stream = Buffer.concat(frames);
    const expected = decodeAll([stream]).map(plain);
    expect(expected).toHaveLength(frames.length);
    expect(expected[2].payload).toBe(large.toString('hex'));

    for (let cut = 1; cut < stream.length; cut++) {
      const got = decodeAll(splitAt(stream, [cut]));
      // compare cheaply per split; a mismatch reports the cut
      if (got.length !== expected.length || got.some((f, i) => plain(f).payload !== expected[i].payload || f.id !== expected[i].id)) {
        expect({ cut, frames: got.map(plain) }).toEqual({ cut, frames: expected });
      }
    }
  });

  it('decodes identically when a stream of small frames is split at every pair of boundaries', () => {
    const stream = Buffer.concat(smallFrames());
    const expected = decodeAll([stream]).map(plain);
    let splits = 0;
    for (let a = 1; a < stream.length; a++) {
      for (let b = a + 1; b < stream.length; b++) {
        expect(decodeAll(splitAt(stream, [a, b])).map(plain)).toEqual(expected);
        splits++;
      }
    }
    expect(splits).toBe(((stream.length - 1) * (stream.length - 2)) / 2);
  });

  it('decodes a stream fed one byte at a time, large frame included', () => {
    const large = patternBytes(200 * 1024, 3);
    const frames = [...smallFrames(), encodeFrame(FrameKind.Job, Enc.Buffer, 9, large), ...smallFrames()];
    const stream = Buffer.concat(frames);
    const bytes: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) bytes.push(Buffer.from([stream[i]]));
    const got = decodeAll(bytes).map(plain);
    expect(got).toEqual(decodeAll([stream]).map(plain));
    expect(got[5]).toEqual({ kind: FrameKind.Job, enc: Enc.Buffer, id: 9, payload: large.toString('hex') });
  });

  it('copies a frame spread over many chunks exactly once, into a buffer of its final size', () => {
    const large = patternBytes(64 * 1024, 5);
    const stream = encodeFrame(FrameKind.Result, Enc.Buffer, 1, large);
    const chunks = Array.from({ length: Math.ceil(stream.length / 1000) }, (_, i) => Buffer.from(stream.subarray(i * 1000, (i + 1) * 1000)));
    const allocations = guardAllocations(large.length);
    const frames = allocations.watch(() => decodeAll(chunks));
    expect(frames).toHaveLength(1);
    expect(frames[0].payload.equals(large)).toBe(true);
    expect(allocations.sizes.filter((n) => n === large.length)).toHaveLength(1);
    expect(allocations.sizes.every((n) => n === large.length || n <= HEADER_SIZE)).toBe(true);
  });

  it('decodes many frames pushed in one chunk, in order', () => {
    const frames: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      frames.push(encodeFrame(FrameKind.Result, Enc.Json, i, Buffer.from(JSON.stringify({ i }))));
    }
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    decoder.push(Buffer.concat(frames), (f) => got.push(f));
    expect(got).toHaveLength(1000);
    got.forEach((f, i) => {
      expect(f.id).toBe(i);
      expect(JSON.parse(f.payload.toString())).toEqual({ i });
    });
    expect(decoder.pending).toBe(0);
  });

  it('keeps a partial frame pending and delivers it when the rest arrives', () => {
    const frame = encodeFrame(FrameKind.Result, Enc.Json, 5, Buffer.from('"hello"'));
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    decoder.push(frame.subarray(0, 15), (f) => got.push(f));
    expect(got).toHaveLength(0);
    expect(decoder.pending).toBe(15);
    decoder.push(frame.subarray(15), (f) => got.push(f));
    expect(got.map(plain)).toEqual([{ kind: FrameKind.Result, enc: Enc.Json, id: 5, payload: Buffer.from('"hello"').toString('hex') }]);
    expect(decoder.pending).toBe(0);
  });
});

describe('FrameDecoder: zero-copy', () => {
  it('returns a frame lying wholly inside one chunk as a view of that chunk', () => {
    const a = encodeFrame(FrameKind.Result, Enc.Buffer, 1, Buffer.from('first payload'));
    const b = encodeFrame(FrameKind.Result, Enc.Buffer, 2, Buffer.from('second'));
    // Buffer.alloc never uses the shared pool, so sharing .buffer means sharing memory with this chunk only
    const chunk = Buffer.alloc(a.length + b.length);
    a.copy(chunk, 0);
    b.copy(chunk, a.length);
    const got: Frame[] = [];
    new FrameDecoder().push(chunk, (f) => got.push(f));
    expect(got).toHaveLength(2);
    expect(got[0].payload.buffer).toBe(chunk.buffer);
    expect(got[0].payload.byteOffset).toBe(chunk.byteOffset + HEADER_SIZE);
    expect(got[1].payload.buffer).toBe(chunk.buffer);
    expect(got[1].payload.byteOffset).toBe(chunk.byteOffset + a.length + HEADER_SIZE);
    // same memory, not merely same contents
    chunk[HEADER_SIZE] = 0x21;
    expect(got[0].payload.toString()).toBe('!irst payload');
  });

  it('returns views for frames wholly inside later chunks too, after a frame that spanned chunks', () => {
    const spanning = encodeFrame(FrameKind.Result, Enc.Buffer, 1, Buffer.from('spans two chunks'));
    const whole = encodeFrame(FrameKind.Result, Enc.Buffer, 2, Buffer.from('whole'));
    const alsoWhole = encodeFrame(FrameKind.Result, Enc.Buffer, 3, Buffer.from('also whole'));
    // chunk 1: start of frame 1; chunk 2: rest of frame 1 + frame 2; chunk 3: frame 3
    const c1 = Buffer.alloc(10);
    spanning.copy(c1, 0, 0, 10);
    const c2 = Buffer.alloc(spanning.length - 10 + whole.length);
    spanning.copy(c2, 0, 10);
    whole.copy(c2, spanning.length - 10);
    const c3 = Buffer.alloc(alsoWhole.length);
    alsoWhole.copy(c3);
    const got = decodeAll([c1, c2, c3]);
    expect(got.map((f) => f.payload.toString())).toEqual(['spans two chunks', 'whole', 'also whole']);
    expect(got[1].payload.buffer).toBe(c2.buffer);
    expect(got[1].payload.byteOffset).toBe(c2.byteOffset + spanning.length - 10 + HEADER_SIZE);
    expect(got[2].payload.buffer).toBe(c3.buffer);
    expect(got[2].payload.byteOffset).toBe(c3.byteOffset + HEADER_SIZE);
  });

  it('returns a view for a frame in a chunk pushed after an exactly consumed chunk', () => {
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    const first = Buffer.alloc(HEADER_SIZE + 3);
    encodeFrame(FrameKind.Result, Enc.Buffer, 1, Buffer.from('one')).copy(first);
    const second = Buffer.alloc(HEADER_SIZE + 3);
    encodeFrame(FrameKind.Result, Enc.Buffer, 2, Buffer.from('two')).copy(second);
    decoder.push(first, (f) => got.push(f));
    decoder.push(second, (f) => got.push(f));
    expect(got.map((f) => f.payload.toString())).toEqual(['one', 'two']);
    expect(got[0].payload.buffer).toBe(first.buffer);
    expect(got[1].payload.buffer).toBe(second.buffer);
  });

  it('copies a frame that spans chunks instead of aliasing either chunk', () => {
    const frame = encodeFrame(FrameKind.Result, Enc.Buffer, 1, Buffer.from('spanning payload'));
    const first = Buffer.alloc(20);
    const second = Buffer.alloc(frame.length - 20);
    frame.copy(first, 0, 0, 20);
    frame.copy(second, 0, 20);
    const [got] = decodeAll([first, second]);
    expect(got.payload.toString()).toBe('spanning payload');
    expect(got.payload.buffer).not.toBe(first.buffer);
    expect(got.payload.buffer).not.toBe(second.buffer);
  });
});

describe('FrameDecoder: size limit', () => {
  it('rejects a header claiming 4 GiB as soon as its 12 bytes arrive, without allocating for it', () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(64 * 1024 * 1024);
    const header = rawHeader({ length: 0xffffffff, kind: FrameKind.Result, enc: Enc.Buffer, id: 1 });
    // allocations over 12 bytes are refused (not performed) and recorded
    const allocations = guardAllocations(HEADER_SIZE);
    const decoder = new FrameDecoder();
    const onFrame = vi.fn();
    // the header arrives in two pieces: nothing can be judged before byte 12
    allocations.watch(() => decoder.push(header.subarray(0, 11), onFrame));
    expect(decoder.pending).toBe(11);
    const error = expectProtocolError(
      thrown(() => allocations.watch(() => decoder.push(header.subarray(11), onFrame))),
      'ERR_FRAME_TOO_LARGE',
    );
    expect(error.message).toContain('4294967295');
    expect(error.message).toContain(String(DEFAULT_MAX_FRAME_SIZE));
    expect(onFrame).not.toHaveBeenCalled();
    expect(allocations.refused).toEqual([]);
    expect(decoder.pending).toBe(0);
  });

  it('accepts a frame of exactly the default limit', () => {
    const payload = Buffer.alloc(DEFAULT_MAX_FRAME_SIZE, 0x61);
    const frames = decodeAll([rawHeader({ length: payload.length, kind: FrameKind.Result, enc: Enc.Buffer }), payload]);
    expect(frames).toHaveLength(1);
    expect(frames[0].payload.length).toBe(DEFAULT_MAX_FRAME_SIZE);
  });

  it('rejects a header one byte over the default limit', () => {
    const header = rawHeader({ length: DEFAULT_MAX_FRAME_SIZE + 1, kind: FrameKind.Result, enc: Enc.Buffer });
    expectProtocolError(thrown(() => new FrameDecoder().push(header, () => {})), 'ERR_FRAME_TOO_LARGE');
  });

  it('honours a configurable limit: at the limit passes, one over throws', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 100 });
    expect(decoder.maxFrameSize).toBe(100);
    const got: Frame[] = [];
    decoder.push(encodeFrame(FrameKind.Result, Enc.Buffer, 1, Buffer.alloc(100, 1)), (f) => got.push(f));
    expect(got).toHaveLength(1);
    const over = rawHeader({ length: 101, kind: FrameKind.Result, enc: Enc.Buffer, id: 2 });
    const error = expectProtocolError(thrown(() => decoder.push(over, (f) => got.push(f))), 'ERR_FRAME_TOO_LARGE');
    expect(error.message).toMatch(/101 bytes.*100 bytes/);
    expect(got).toHaveLength(1);
  });

  it('with maxFrameSize 0 accepts only empty frames', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 0 });
    const got: Frame[] = [];
    decoder.push(encodeFrame(FrameKind.Heartbeat, Enc.Undefined, 0), (f) => got.push(f));
    expect(got).toHaveLength(1);
    expectProtocolError(thrown(() => decoder.push(rawHeader({ length: 1, kind: FrameKind.Result }), () => {})), 'ERR_FRAME_TOO_LARGE');
  });
});

describe('FrameDecoder: malformed headers', () => {
  it('accepts every known kind', () => {
    const kinds = Object.values(FrameKind);
    expect(kinds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const frames = decodeAll([Buffer.concat(kinds.map((k) => encodeFrame(k, Enc.Undefined, k)))]);
    expect(frames.map((f) => f.kind)).toEqual(kinds);
  });

  it.each([0, 14, 42, 255])('rejects unknown kind %i with ERR_PROTOCOL_UNKNOWN_KIND', (kind) => {
    const error = thrown(() => new FrameDecoder().push(rawHeader({ length: 0, kind }), () => {}));
    expect(expectProtocolError(error, 'ERR_PROTOCOL_UNKNOWN_KIND').message).toContain(String(kind));
  });

  it('accepts every known encoding', () => {
    const encs = Object.values(Enc);
    expect(encs).toEqual([0, 1, 2, 3, 4, 5]);
    const frames = decodeAll([Buffer.concat(encs.map((e) => encodeFrame(FrameKind.Result, e, 1)))]);
    expect(frames.map((f) => f.enc)).toEqual(encs);
  });

  it.each([6, 7, 128, 255])('rejects unknown encoding %i with ERR_PROTOCOL', (enc) => {
    const error = thrown(() => new FrameDecoder().push(rawHeader({ length: 0, kind: FrameKind.Result, enc }), () => {}));
    expect(expectProtocolError(error, 'ERR_PROTOCOL').message).toContain(`encoding ${enc}`);
  });

  it.each([1, 0x100, 0x8000, 0xffff])('rejects a non-zero reserved field (%i) with ERR_PROTOCOL', (reserved) => {
    const error = thrown(() => new FrameDecoder().push(rawHeader({ length: 0, kind: FrameKind.Result, reserved }), () => {}));
    expect(expectProtocolError(error, 'ERR_PROTOCOL').message).toMatch(/reserved/);
  });

  it('delivers the good frames before a bad header in the same chunk, then throws', () => {
    const good = smallFrames();
    const chunk = Buffer.concat([...good, rawHeader({ length: 0, kind: 99 }), ...good]);
    const got: Frame[] = [];
    expectProtocolError(thrown(() => new FrameDecoder().push(chunk, (f) => got.push(f))), 'ERR_PROTOCOL_UNKNOWN_KIND');
    expect(got.map(plain)).toEqual(decodeAll(good).map(plain));
  });
});

describe('FrameDecoder: end of stream', () => {
  it('end() on a frame boundary is fine', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat(smallFrames()), () => {});
    expect(() => decoder.end()).not.toThrow();
  });

  it('end() on a fresh decoder is fine', () => {
    expect(() => new FrameDecoder().end()).not.toThrow();
  });

  it.each([1, 11, 12, 13])('end() after %i bytes of a frame throws ERR_PROTOCOL_TRUNCATED', (bytes) => {
    const frame = encodeFrame(FrameKind.Result, Enc.Json, 1, Buffer.from('"twenty bytes long!"'));
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    decoder.push(Buffer.concat([smallFrames()[0], frame.subarray(0, bytes)]), (f) => got.push(f));
    expect(got).toHaveLength(1);
    const error = expectProtocolError(thrown(() => decoder.end()), 'ERR_PROTOCOL_TRUNCATED');
    expect(error.message).toContain(`${bytes} bytes`);
  });
});

describe('FrameDecoder: failure is permanent', () => {
  it('keeps throwing the same error and delivers nothing after a protocol error', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 10 });
    const onFrame = vi.fn();
    const first = thrown(() => decoder.push(rawHeader({ length: 11, kind: FrameKind.Result }), onFrame));
    expectProtocolError(first, 'ERR_FRAME_TOO_LARGE');
    // a perfectly valid frame afterwards is refused: framing is lost for good
    const valid = encodeFrame(FrameKind.Result, Enc.Json, 1, Buffer.from('1'));
    expect(thrown(() => decoder.push(valid, onFrame))).toBe(first);
    expect(thrown(() => decoder.push(Buffer.alloc(0), onFrame))).toBe(first);
    expect(onFrame).not.toHaveBeenCalled();
    expect(decoder.pending).toBe(0);
    // the error was already reported; end() does not add a second, different one
    expect(() => decoder.end()).not.toThrow();
  });
});

describe('FrameDecoder: empty payloads', () => {
  it('decodes zero-length frames, alone and back to back, in any chunking', () => {
    const stream = Buffer.concat([
      encodeFrame(FrameKind.Heartbeat, Enc.Undefined, 0),
      encodeFrame(FrameKind.Result, Enc.Undefined, 1),
      encodeFrame(FrameKind.Result, Enc.Json, 2, Buffer.from('0')),
      encodeFrame(FrameKind.Shutdown, Enc.Undefined, 0),
    ]);
    expect(stream.length).toBe(4 * HEADER_SIZE + 1);
    const expected = [
      { kind: FrameKind.Heartbeat, enc: Enc.Undefined, id: 0, payload: '' },
      { kind: FrameKind.Result, enc: Enc.Undefined, id: 1, payload: '' },
      { kind: FrameKind.Result, enc: Enc.Json, id: 2, payload: '30' },
      { kind: FrameKind.Shutdown, enc: Enc.Undefined, id: 0, payload: '' },
    ];
    expect(decodeAll([stream]).map(plain)).toEqual(expected);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decodeAll(splitAt(stream, [cut])).map(plain)).toEqual(expected);
    }
  });

  it('delivers an empty frame as soon as its header is complete', () => {
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    const frame = encodeFrame(FrameKind.Heartbeat, Enc.Undefined, 0);
    decoder.push(frame.subarray(0, 11), (f) => got.push(f));
    expect(got).toHaveLength(0);
    decoder.push(frame.subarray(11), (f) => got.push(f));
    expect(got).toHaveLength(1);
    expect(got[0].payload.length).toBe(0);
    expect(decoder.pending).toBe(0);
  });
});
