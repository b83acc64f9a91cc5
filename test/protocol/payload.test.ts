import { describe, expect, it } from 'vitest';
import { PayloadError, SuperviseError } from '../../src/errors.js';
import { decodeValue, Enc, encodeFrame, encodeValue, type Frame, FrameDecoder, FrameKind, HEADER_SIZE } from '../../src/protocol/index.js';

/** Sends a value the way a job result travels: encodeValue → frame → decoder → decodeValue. */
function roundTrip(value: unknown): { enc: number; value: unknown; wire: Buffer } {
  const encoded = encodeValue(value);
  const wire = encodeFrame(FrameKind.Result, encoded.enc, 1, encoded.bytes);
  const frames: Frame[] = [];
  const decoder = new FrameDecoder();
  decoder.push(wire, (f) => frames.push(f));
  decoder.end();
  expect(frames).toHaveLength(1);
  expect(frames[0].enc).toBe(encoded.enc);
  return { enc: frames[0].enc, value: decodeValue(frames[0].enc, frames[0].payload), wire };
}

function expectRejected(value: unknown): PayloadError {
  let error: unknown;
  try {
    encodeValue(value);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PayloadError);
  expect(error).toBeInstanceOf(SuperviseError);
  expect((error as PayloadError).code).toBe('ERR_PAYLOAD_UNSUPPORTED');
  return error as PayloadError;
}

describe('payload: JSON values', () => {
  it.each([
    ['empty string', ''],
    ['ascii', 'hello'],
    ['unicode', 'naïve 日本語 🎉'],
    ['control characters and quotes', 'a\n"b"\t\\c\u0000d'],
  ])('round-trips a string (%s) as its UTF-8 bytes, without JSON quotes', (_, text) => {
    const out = roundTrip(text);
    expect(out.enc).toBe(Enc.Text);
    expect(out.value).toBe(text);
    // the frame carries exactly the string's UTF-8 bytes
    expect(out.wire.subarray(HEADER_SIZE).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it.each([
    ['lone high surrogate', '\ud800x'],
    ['lone low surrogate', 'x\udc00'],
    ['both, out of order', '\udc00x\ud800'],
  ])('round-trips a string with a %s exactly, as JSON (UTF-8 would replace it with U+FFFD)', (_, text) => {
    const out = roundTrip(text);
    expect(out.enc).toBe(Enc.Json);
    expect(out.value).toBe(text);
  });

  it.each([0, 1, -1, 1.5, -2.25, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300, 0.1 + 0.2])(
    'round-trips the number %d as JSON',
    (n) => {
      const out = roundTrip(n);
      expect(out.enc).toBe(Enc.Json);
      expect(Object.is(out.value, n)).toBe(true);
    },
  );

  it('round-trips -0 exactly, top level and nested', () => {
    expect(Object.is(roundTrip(-0).value, -0)).toBe(true);
    const nested = roundTrip({ a: [-0, 0], b: { c: -0 } }).value as { a: number[]; b: { c: number } };
    expect(Object.is(nested.a[0], -0)).toBe(true);
    expect(Object.is(nested.a[1], 0)).toBe(true);
    expect(Object.is(nested.b.c, -0)).toBe(true);
  });

  it.each([true, false, null])('round-trips %s as JSON', (v) => {
    const out = roundTrip(v);
    expect(out.enc).toBe(Enc.Json);
    expect(out.value).toBe(v);
  });

  it('round-trips nested plain data as JSON text', () => {
    const value = { user: { name: 'Ada', tags: ['x', 'y'], age: 36, admin: false, manager: null }, list: [[1, [2, [3]]], {}, []] };
    const out = roundTrip(value);
    expect(out.enc).toBe(Enc.Json);
    expect(out.value).toStrictEqual(value);
    // the payload is plain UTF-8 JSON
    expect(out.wire.subarray(HEADER_SIZE).toString('utf8')).toBe(JSON.stringify(value));
  });

  it('round-trips nesting deeper than the JSON depth check exactly', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200; i++) deep = { next: deep, i };
    expect(roundTrip(deep).value).toStrictEqual(deep);
  });
});

describe('payload: bytes', () => {
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);

  it('sends a Uint8Array as its raw bytes and returns a Uint8Array (not a Buffer)', () => {
    const encoded = encodeValue(every);
    expect(encoded.enc).toBe(Enc.Uint8Array);
    // raw: same length and same bytes; base64 would be 344 bytes, a JSON number array ~900
    expect(encoded.bytes.byteLength).toBe(256);
    expect(Buffer.from(encoded.bytes).equals(Buffer.from(every))).toBe(true);

    const out = roundTrip(every);
    expect(out.wire.length).toBe(HEADER_SIZE + 256);
    expect(out.wire.subarray(HEADER_SIZE).equals(Buffer.from(every))).toBe(true);
    expect(Object.getPrototypeOf(out.value)).toBe(Uint8Array.prototype);
    expect(Buffer.isBuffer(out.value)).toBe(false);
    expect(Array.from(out.value as Uint8Array)).toEqual(Array.from(every));
  });

  it('sends only the bytes of a Uint8Array view, not its whole ArrayBuffer', () => {
    const view = every.subarray(10, 20);
    const out = roundTrip(view);
    expect(out.wire.length).toBe(HEADER_SIZE + 10);
    expect(Array.from(out.value as Uint8Array)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('sends a Buffer as raw bytes and returns a Buffer', () => {
    const buf = Buffer.from(every);
    const encoded = encodeValue(buf);
    expect(encoded.enc).toBe(Enc.Buffer);
    expect(encoded.bytes.byteLength).toBe(256);
    const out = roundTrip(buf);
    expect(out.wire.subarray(HEADER_SIZE).equals(buf)).toBe(true);
    expect(Buffer.isBuffer(out.value)).toBe(true);
    expect((out.value as Buffer).equals(buf)).toBe(true);
  });

  it('round-trips empty byte arrays with their type', () => {
    const u = roundTrip(new Uint8Array(0));
    expect(u.enc).toBe(Enc.Uint8Array);
    expect(Object.getPrototypeOf(u.value)).toBe(Uint8Array.prototype);
    expect((u.value as Uint8Array).length).toBe(0);
    const b = roundTrip(Buffer.alloc(0));
    expect(b.enc).toBe(Enc.Buffer);
    expect(Buffer.isBuffer(b.value)).toBe(true);
    expect((b.value as Buffer).length).toBe(0);
  });
});

describe('payload: undefined', () => {
  it('encodes undefined as an empty Undefined payload', () => {
    const encoded = encodeValue(undefined);
    expect(encoded.enc).toBe(Enc.Undefined);
    expect(encoded.bytes.byteLength).toBe(0);
    const out = roundTrip(undefined);
    expect(out.wire.length).toBe(HEADER_SIZE);
    expect(out.value).toBeUndefined();
  });
});

describe('payload: structured clone for what JSON would corrupt', () => {
  it('round-trips a Map with non-string keys', () => {
    const map = new Map<unknown, unknown>([
      [1, 'one'],
      ['1', 'string one'],
      [{ k: true }, [1, 2]],
    ]);
    const out = roundTrip(map);
    expect(out.enc).toBe(Enc.Structured);
    expect(out.value).toBeInstanceOf(Map);
    expect(out.value).toStrictEqual(map);
    expect((out.value as Map<unknown, unknown>).get(1)).toBe('one');
  });

  it('round-trips a Set', () => {
    const set = new Set([1, '1', null, 'x']);
    const out = roundTrip(set);
    expect(out.enc).toBe(Enc.Structured);
    expect(out.value).toBeInstanceOf(Set);
    expect([...(out.value as Set<unknown>)]).toEqual([1, '1', null, 'x']);
  });

  it('round-trips BigInt, top level and nested', () => {
    const big = 2n ** 100n + 1n;
    expect(roundTrip(big).enc).toBe(Enc.Structured);
    expect(roundTrip(big).value).toBe(big);
    expect(roundTrip({ n: -big, list: [0n] }).value).toStrictEqual({ n: -big, list: [0n] });
  });

  it('round-trips a Date as a Date with the same time', () => {
    const date = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    const out = roundTrip({ when: date });
    expect(out.enc).toBe(Enc.Structured);
    const when = (out.value as { when: Date }).when;
    expect(when).toBeInstanceOf(Date);
    expect(when.getTime()).toBe(date.getTime());
  });

  it.each([NaN, Infinity, -Infinity])('round-trips %d exactly', (n) => {
    const out = roundTrip(n);
    expect(out.enc).toBe(Enc.Structured);
    expect(Object.is(out.value, n)).toBe(true);
    expect(Object.is((roundTrip([n]).value as number[])[0], n)).toBe(true);
  });

  it('keeps undefined elements and holes in arrays distinct', () => {
    const arr: unknown[] = [1, undefined, , 4];
    arr.length = 6; // trailing holes too
    const out = roundTrip(arr);
    expect(out.enc).toBe(Enc.Structured);
    const got = out.value as unknown[];
    expect(got.length).toBe(6);
    expect(1 in got).toBe(true);
    expect(got[1]).toBeUndefined();
    expect(2 in got).toBe(false);
    expect(5 in got).toBe(false);
    expect(got).toStrictEqual(arr);
  });

  it('keeps object properties whose value is undefined', () => {
    const out = roundTrip({ a: 1, b: undefined, c: { d: undefined } });
    expect(out.enc).toBe(Enc.Structured);
    const got = out.value as { a: number; b: undefined; c: { d: undefined } };
    expect(Object.keys(got)).toEqual(['a', 'b', 'c']);
    expect('d' in got.c).toBe(true);
    expect(got).toStrictEqual({ a: 1, b: undefined, c: { d: undefined } });
  });

  it('keeps typed arrays nested in objects, each with its own type', () => {
    const value = {
      u8: new Uint8Array([1, 2, 255]),
      buf: Buffer.from('hi'),
      f64: new Float64Array([1.5, -0, NaN]),
      i32: new Int32Array([-1, 2 ** 31 - 1]),
      big: new BigInt64Array([-(2n ** 63n)]),
      list: [new Uint16Array([65535])],
    };
    const out = roundTrip(value);
    expect(out.enc).toBe(Enc.Structured);
    const got = out.value as typeof value;
    expect(Object.getPrototypeOf(got.u8)).toBe(Uint8Array.prototype);
    expect(Buffer.isBuffer(got.buf)).toBe(true);
    expect(got.buf.toString()).toBe('hi');
    expect(got.f64).toBeInstanceOf(Float64Array);
    expect(Object.is(got.f64[1], -0)).toBe(true);
    expect(Number.isNaN(got.f64[2])).toBe(true);
    expect(got.i32).toStrictEqual(value.i32);
    expect(got.big).toStrictEqual(value.big);
    expect(got.list[0]).toStrictEqual(new Uint16Array([65535]));
    expect(Array.from(got.u8)).toEqual([1, 2, 255]);
  });

  it('keeps circular and shared references', () => {
    const shared = { s: 1 };
    const root: Record<string, unknown> = { name: 'root', a: shared, b: shared };
    root.self = root;
    root.list = [root, shared];
    const out = roundTrip(root);
    expect(out.enc).toBe(Enc.Structured);
    const got = out.value as Record<string, unknown> & { list: unknown[] };
    expect(got.self).toBe(got);
    expect(got.list[0]).toBe(got);
    expect(got.a).toBe(got.b);
    expect(got.list[1]).toBe(got.a);
    expect(got.a).toStrictEqual({ s: 1 });
    expect(got.name).toBe('root');
  });
});

describe('payload: encoding choice', () => {
  it.each([
    ['a plain object', { a: 1, b: 'x', c: [true, null] }],
    ['an array', [1, 2, 3]],
    ['a number', 42],
    ['null', null],
    ['a string with a lone surrogate', '\ud83d'],
  ])('uses JSON (1) for %s', (_, value) => {
    expect(encodeValue(value).enc).toBe(1);
  });

  it('uses Text (5) for a well-formed string, top level only (nested strings stay inside JSON)', () => {
    expect(encodeValue('text').enc).toBe(5);
    expect(encodeValue(['text']).enc).toBe(1);
  });

  it.each([
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a Date', new Date(0)],
    ['a RegExp', /x/g],
    ['a bigint', 1n],
    ['NaN', NaN],
    ['-0', -0],
    ['-0 nested in plain data', { a: [-0] }],
    ['an array with a hole', [1, , 3]],
    ['an object with an undefined property', { a: undefined }],
    ['a class instance', new (class Point { x = 1; })()],
  ])('uses structured clone (4) for %s', (_, value) => {
    expect(encodeValue(value).enc).toBe(4);
  });
});

describe('payload: rejected values', () => {
  it.each([
    ['a function', () => 1],
    ['an async function', async () => 1],
    ['a class', class Foo {}],
    ['a symbol', Symbol('s')],
  ])('rejects %s at the top level, naming what it got', (_, value) => {
    expect(expectRejected(value).message).toContain(`Cannot send a ${typeof value} as a payload`);
  });

  it.each([
    ['a function in an object', { run: () => 1 }],
    ['a symbol in an array', [1, Symbol('s')]],
    ['a function in a Map', new Map([['f', () => 1]])],
    ['a WeakMap', new WeakMap()],
  ])('rejects %s nested inside data, with the cause attached', (_, value) => {
    const error = expectRejected(value);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('decodeValue rejects an unknown encoding with a PayloadError', () => {
    let error: unknown;
    try {
      decodeValue(9, Buffer.alloc(0));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).code).toBe('ERR_PAYLOAD_UNSUPPORTED');
  });
});
