import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import {
  checkHello,
  DEFAULT_HANDLER,
  encodeJson,
  type HelloMessage,
  jobPrefix,
  parseJobPayload,
  parseJson,
  PROTOCOL_VERSION,
} from '../../src/protocol/index.js';
import { thrown } from './helpers.js';

function expectProtocolError(error: unknown, code: string): ProtocolError {
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(code);
  return error as ProtocolError;
}

function jobPayload(name: string, value: Buffer): Buffer {
  return Buffer.concat([jobPrefix(name), value]);
}

describe('job prefix', () => {
  it.each([
    ['add'],
    ['resize-image'],
    ['ünïcödé'],
    ['日本語の処理'],
    ['emoji 🎉 handler'],
    ['a'],
  ])('round-trips the handler name %s with the value bytes untouched', (name) => {
    const value = Buffer.from([0, 1, 2, 0xff, 0x7b]);
    const prefix = jobPrefix(name);
    expect(prefix[0]).toBe(Buffer.byteLength(name, 'utf8'));
    // name, then attempt (u16), flags (u8) and meta length (u16)
    expect(prefix.length).toBe(1 + Buffer.byteLength(name, 'utf8') + 5);
    const parsed = parseJobPayload(jobPayload(name, value));
    expect(parsed).toMatchObject({ name, attempt: 1, meta: undefined });
    expect(parsed.value.equals(value)).toBe(true);
  });

  it('carries the attempt and the meta JSON text, and caches only first attempts without meta', () => {
    const meta = JSON.stringify({ key: 'order-7', ü: [1, 2] });
    const value = Buffer.from('"x"');
    const parsed = parseJobPayload(Buffer.concat([jobPrefix('resize', 3, meta, 1), value]));
    expect(parsed).toMatchObject({ name: 'resize', attempt: 3, flags: 1, meta });
    expect(parsed.value.equals(value)).toBe(true);
    expect(jobPrefix('resize')).toBe(jobPrefix('resize'));
    expect(jobPrefix('resize', 2)).not.toBe(jobPrefix('resize', 2));
    expect(() => jobPrefix('big', 1, 'x'.repeat(70_000))).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }));
  });

  it('rejects a job frame cut inside its attempt or meta with a ProtocolError', () => {
    const whole = jobPrefix('add', 1, '{"a":1}');
    for (const cut of [2, 4, 6, 8, whole.length - 1]) {
      expect(() => parseJobPayload(whole.subarray(0, cut))).toThrow(expect.objectContaining({ name: 'ProtocolError' }));
    }
  });

  it('encodes the default handler as a zero name length and reads it back as "default"', () => {
    expect(DEFAULT_HANDLER).toBe('default');
    const prefix = jobPrefix(DEFAULT_HANDLER);
    expect([...prefix]).toEqual([0, 0, 1, 0, 0, 0]);
    const parsed = parseJobPayload(jobPayload(DEFAULT_HANDLER, Buffer.from('[1,2]')));
    expect(parsed.name).toBe('default');
    expect(parsed.value.toString()).toBe('[1,2]');
  });

  it('returns the value as a view of the payload, without copying', () => {
    const payload = jobPayload('add', Buffer.from('{"a":1}'));
    const { value } = parseJobPayload(payload);
    expect(value.buffer).toBe(payload.buffer);
    expect(value.byteOffset).toBe(payload.byteOffset + 9);
  });

  it('round-trips an empty value', () => {
    const parsed = parseJobPayload(jobPrefix('noop'));
    expect(parsed.name).toBe('noop');
    expect(parsed.value.length).toBe(0);
  });

  it('accepts a name of exactly 255 UTF-8 bytes', () => {
    const ascii = 'x'.repeat(255);
    expect(parseJobPayload(jobPrefix(ascii)).name).toBe(ascii);
    const multi = 'é'.repeat(127) + 'a'; // 127 × 2 + 1 = 255 bytes
    expect(Buffer.byteLength(multi)).toBe(255);
    expect(parseJobPayload(jobPrefix(multi)).name).toBe(multi);
  });

  it('rejects a name over 255 UTF-8 bytes, counting bytes, not characters', () => {
    const ascii = expectProtocolError(thrown(() => jobPrefix('x'.repeat(256))), 'ERR_PROTOCOL');
    expect(ascii.message).toContain('256 bytes');
    // 128 characters, but 256 bytes
    const multi = 'é'.repeat(128);
    expect(multi.length).toBe(128);
    expect(expectProtocolError(thrown(() => jobPrefix(multi)), 'ERR_PROTOCOL').message).toContain('256 bytes');
  });

  it('rejects a job payload with no name byte', () => {
    expectProtocolError(thrown(() => parseJobPayload(Buffer.alloc(0))), 'ERR_PROTOCOL');
  });

  it('rejects a job payload shorter than the name it announces', () => {
    const payload = Buffer.concat([Buffer.from([10]), Buffer.from('short')]);
    expect(expectProtocolError(thrown(() => parseJobPayload(payload)), 'ERR_PROTOCOL').message).toMatch(/shorter/);
  });
});

describe('checkHello', () => {
  const hello = (fields: Partial<HelloMessage> = {}): HelloMessage => ({ version: PROTOCOL_VERSION, pid: 1234, handlers: ['default'], ...fields });

  it('accepts the current protocol version, also after a trip through JSON', () => {
    expect(PROTOCOL_VERSION).toBe(4);
    expect(() => checkHello(hello())).not.toThrow();
    expect(() => checkHello(hello({ handlers: [] }))).not.toThrow();
    expect(() => checkHello(parseJson<HelloMessage>(encodeJson(hello({ handlers: ['a', 'b'] })), 'hello'))).not.toThrow();
  });

  it.each([0, 1, PROTOCOL_VERSION + 1, 99])('rejects version %i with ERR_PROTOCOL_VERSION and a clear message', (version) => {
    const error = expectProtocolError(thrown(() => checkHello(hello({ version }))), 'ERR_PROTOCOL_VERSION');
    expect(error.message).toContain(`worker speaks version ${version}`);
    expect(error.message).toContain(`supervisor speaks ${PROTOCOL_VERSION}`);
    expect(error.message).toMatch(/same supervise version/);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['a number', 1],
    ['an empty object', {}],
    ['a string version', { version: '1', pid: 1, handlers: [] }],
    ['no handlers', { version: 1, pid: 1 }],
    ['handlers not an array', { version: 1, pid: 1, handlers: 'default' }],
    ['an array', [1, 1, []]],
  ])('rejects a malformed hello (%s) with ERR_PROTOCOL_MALFORMED', (_, value) => {
    const error = expectProtocolError(thrown(() => checkHello(value as unknown as HelloMessage)), 'ERR_PROTOCOL_MALFORMED');
    expect(error.message).toMatch(/hello/i);
  });
});

describe('parseJson', () => {
  it('parses a JSON control payload', () => {
    expect(parseJson(encodeJson({ rss: 1, loopDelay: 0.5 }), 'heartbeat')).toEqual({ rss: 1, loopDelay: 0.5 });
    expect(parseJson(Buffer.from('"ü"'), 'x')).toBe('ü');
  });

  it.each([
    ['truncated', '{"version":1'],
    ['empty', ''],
    ['not JSON', 'undefined'],
    ['trailing garbage', '{} x'],
    ['a lone NUL byte', Buffer.from([0])],
  ])('turns malformed JSON (%s) into ERR_PROTOCOL_MALFORMED naming the frame', (_, text) => {
    const payload = typeof text === 'string' ? Buffer.from(text) : text;
    const error = expectProtocolError(thrown(() => parseJson(payload, 'heartbeat')), 'ERR_PROTOCOL_MALFORMED');
    expect(error.message).toContain('heartbeat frame');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
