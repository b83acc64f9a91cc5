import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  errorClasses,
  JobTimeoutError,
  ProtocolError,
  SuperviseError,
  WorkerCrashError,
} from '../../src/errors.js';
import { deserializeError, encodeJson, parseJson, type SerializedError, serializeError } from '../../src/protocol/index.js';

/** The path an error takes from a handler to the caller: serialize, JSON on the wire, rebuild. */
function overTheWire(thrownValue: unknown): Error & Record<string, unknown> {
  const wire = encodeJson(serializeError(thrownValue));
  return deserializeError(parseJson<SerializedError>(wire, 'error')) as Error & Record<string, unknown>;
}

class ValidationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

describe('error codec: the basics', () => {
  it('keeps name, message and stack', () => {
    const original = new ValidationError('field "email" is required');
    const got = overTheWire(original);
    expect(got).toBeInstanceOf(Error);
    expect(got.name).toBe('ValidationError');
    expect(got.message).toBe('field "email" is required');
    expect(got.stack).toBe(original.stack);
    expect(got.stack).toContain('error-codec.test.ts');
    expect(String(got)).toBe('ValidationError: field "email" is required');
  });

  it.each([
    ['a string code', 'E_CUSTOM'],
    ['a numeric code', 503],
  ])('keeps %s', (_, code) => {
    const original = Object.assign(new Error('failed'), { code });
    expect(overTheWire(original).code).toBe(code);
  });

  it('builds a stack from name and message when the sender had none', () => {
    const got = deserializeError({ name: 'Oops', message: 'no stack here' });
    expect(got.stack).toBe('Oops: no stack here');
    expect(got.name).toBe('Oops');
  });
});

describe('error codec: cause chains', () => {
  it('keeps a three-deep chain of errors, with the value at its end', () => {
    const bottom = new RangeError('bottom', { cause: { detail: 42 } });
    const middle = Object.assign(new TypeError('middle', { cause: bottom }), { code: 'E_MID' });
    const top = new ValidationError('top', { cause: middle });
    const got = overTheWire(top);

    expect(got.name).toBe('ValidationError');
    expect(got.message).toBe('top');
    const c1 = got.cause as Error & { code?: unknown };
    expect(c1).toBeInstanceOf(Error);
    expect(c1.name).toBe('TypeError');
    expect(c1.message).toBe('middle');
    expect(c1.code).toBe('E_MID');
    expect(c1.stack).toBe(middle.stack);
    const c2 = c1.cause as Error;
    expect(c2).toBeInstanceOf(Error);
    expect(c2.name).toBe('RangeError');
    expect(c2.message).toBe('bottom');
    expect(c2.stack).toBe(bottom.stack);
    expect(c2.cause).toEqual({ detail: 42 });
  });

  it.each([
    ['a string', 'disk full'],
    ['a number', 7],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['an object', { retryAfter: 30, hosts: ['a', 'b'] }],
  ])('keeps a non-error cause: %s', (_, cause) => {
    const got = overTheWire(new Error('outer', { cause }));
    expect(got.cause).toEqual(cause);
    expect(Object.hasOwn(got, 'cause')).toBe(true);
  });

  it('does not invent a cause when there was none', () => {
    expect(Object.hasOwn(overTheWire(new Error('plain')), 'cause')).toBe(false);
  });

  it.each([
    ['a symbol', Symbol('why'), 'Symbol(why)'],
    ['a function', function reason() {}, 'function reason() {}'],
    ['a bigint', 10n, '10'],
  ])('describes a cause JSON cannot carry (%s) instead of turning it into a fake error', (_, cause, text) => {
    const got = overTheWire(new Error('outer', { cause }));
    expect(got.cause).not.toBeInstanceOf(Error);
    expect(got.cause).toBe(text);
  });

  it('stops at a bounded depth on a circular cause chain', () => {
    const loop = new Error('loop');
    loop.cause = loop;
    const got = overTheWire(loop);
    let depth = 0;
    for (let e: unknown = got; e instanceof Error; e = e.cause) {
      expect(e.message).toBe('loop');
      depth++;
    }
    expect(depth).toBeGreaterThan(3);
    expect(depth).toBeLessThanOrEqual(17);
  });
});

describe('error codec: extra properties', () => {
  it('keeps errno, code, syscall and path of a real fs error', () => {
    let fsError: unknown;
    try {
      readFileSync('/definitely/not/here.txt');
    } catch (error) {
      fsError = error;
    }
    const got = overTheWire(fsError);
    expect(got.code).toBe('ENOENT');
    expect(got.errno).toBe((fsError as NodeJS.ErrnoException).errno);
    expect(typeof got.errno).toBe('number');
    expect(got.syscall).toBe('open');
    expect(got.path).toBe('/definitely/not/here.txt');
    expect(got.message).toContain('ENOENT');
  });

  it('keeps arbitrary JSON data properties and drops only what cannot travel', () => {
    const original = Object.assign(new Error('http'), {
      statusCode: 429,
      headers: { 'retry-after': '3' },
      tags: ['a', 'b'],
      missing: undefined,
      big: 12n,
    });
    const got = overTheWire(original);
    expect(got.statusCode).toBe(429);
    expect(got.headers).toEqual({ 'retry-after': '3' });
    expect(got.tags).toEqual(['a', 'b']);
    expect('missing' in got).toBe(false);
    // BigInt is not JSON; it is described rather than lost
    expect(got.big).toBe('12');
  });
});

describe('error codec: non-Error throws', () => {
  it.each([
    ['a string', 'boom', 'boom', 'boom'],
    ['a number', 42, '42', 42],
    ['an object', { reason: 'nope' }, '[object Object]', { reason: 'nope' }],
    ['null', null, 'null', null],
  ])('wraps %s in an Error and keeps the thrown value', (_, value, text, kept) => {
    const got = overTheWire(value);
    expect(got).toBeInstanceOf(Error);
    expect(got.name).toBe('Error');
    expect(got.message).toBe(`Non-error thrown: ${text}`);
    expect(got.thrown).toEqual(kept);
  });

  it('wraps a thrown undefined', () => {
    const got = overTheWire(undefined);
    expect(got).toBeInstanceOf(Error);
    expect(got.message).toBe('Non-error thrown: undefined');
  });
});

describe("error codec: supervise's own classes", () => {
  it('rebuilds a JobTimeoutError as a JobTimeoutError with its code and fields', () => {
    const original = new JobTimeoutError(17, 2500);
    const got = overTheWire(original);
    expect(got).toBeInstanceOf(JobTimeoutError);
    expect(got).toBeInstanceOf(SuperviseError);
    expect(got).toBeInstanceOf(Error);
    expect(got.name).toBe('JobTimeoutError');
    expect(got.code).toBe('ERR_JOB_TIMEOUT');
    expect(got.message).toBe('Job 17 timed out after 2500 ms');
    expect(got.jobId).toBe(17);
    expect(got.timeout).toBe(2500);
    expect(got.stack).toBe(original.stack);
  });

  it('rebuilds a WorkerCrashError with its exit details', () => {
    const original = new WorkerCrashError({ jobId: 3, attempts: 2, pid: 999, exitCode: null, signal: 'SIGKILL', stderrTail: 'oom' });
    const got = overTheWire(original);
    expect(got).toBeInstanceOf(WorkerCrashError);
    expect(got.code).toBe('ERR_WORKER_CRASHED');
    expect(got.signal).toBe('SIGKILL');
    expect(got.exitCode).toBeNull();
    expect(got.attempts).toBe(2);
    expect(got.message).toBe(original.message);
  });

  it('rebuilds a supervise error inside a cause chain as its class', () => {
    const got = overTheWire(new AbortError('cancelled by user', { cause: new ProtocolError('bad frame', 'ERR_FRAME_TOO_LARGE') }));
    expect(got).toBeInstanceOf(AbortError);
    expect(got.code).toBe('ABORT_ERR');
    expect(got.cause).toBeInstanceOf(ProtocolError);
    expect((got.cause as ProtocolError).code).toBe('ERR_FRAME_TOO_LARGE');
  });

  it.each(Object.keys(errorClasses))('maps the name %s back to its class', (name) => {
    const got = deserializeError({ name, message: 'm', code: 'ERR_X' });
    expect(got).toBeInstanceOf(errorClasses[name]);
    expect(got.name).toBe(name);
    expect((got as SuperviseError).code).toBe('ERR_X');
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('treats the name %s as a plain error name', (name) => {
    const got = deserializeError({ name, message: 'm' });
    expect(Object.getPrototypeOf(got)).toBe(Error.prototype);
    expect(got.name).toBe(name);
    expect(got.message).toBe('m');
  });
});
