/*
 * The shapes carried by each frame kind, and the small codecs for the frames
 * whose payload is more than one value. Both sides build and read frames only
 * through these, so the wire format lives in one place.
 */
import { ProtocolError } from '../errors.js';
import { PROTOCOL_VERSION } from './frame.js';

/** Hello: sent once by the worker after its module loaded. */
export interface HelloMessage {
  version: number;
  pid: number;
  handlers: string[];
  /** The module asked that its process group be left alone when the worker ends (`export const supervise = { keepProcessGroup: true }`). */
  keepProcessGroup?: boolean;
}

/** Heartbeat: sent by the worker every `heartbeatInterval` ms. */
export interface HeartbeatMessage {
  /** Resident set size, bytes. */
  rss: number;
  /** Mean event-loop delay since the last heartbeat, ms. */
  loopDelay: number;
}

/** An error as it crosses the channel (see error-codec.ts). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: SerializedError | { value: unknown };
  props?: Record<string, unknown>;
}

/** The handler name of the default export. */
export const DEFAULT_HANDLER = 'default';

const prefixCache = new Map<string, Buffer>();

/**
 * Encodes the handler-name prefix of a job frame: one length byte, then the
 * UTF-8 name. The default handler is the empty prefix byte. Cached per name,
 * because a program uses only a few.
 */
export function jobPrefix(name: string): Buffer {
  let prefix = prefixCache.get(name);
  if (prefix) return prefix;
  const bytes = Buffer.from(name === DEFAULT_HANDLER ? '' : name, 'utf8');
  if (bytes.length > 255) throw new ProtocolError(`Handler name is too long (${bytes.length} bytes; 255 at most)`, 'ERR_PROTOCOL');
  prefix = Buffer.allocUnsafe(1 + bytes.length);
  prefix[0] = bytes.length;
  bytes.copy(prefix, 1);
  if (prefixCache.size < 1024) prefixCache.set(name, prefix);
  return prefix;
}

/** Splits a job frame's payload into handler name and value bytes. */
export function parseJobPayload(payload: Buffer): { name: string; value: Buffer } {
  if (payload.length < 1) throw new ProtocolError('Job frame without a handler name', 'ERR_PROTOCOL');
  const nameLength = payload[0];
  if (payload.length < 1 + nameLength) throw new ProtocolError('Job frame shorter than its handler name', 'ERR_PROTOCOL');
  const name = nameLength === 0 ? DEFAULT_HANDLER : payload.toString('utf8', 1, 1 + nameLength);
  return { name, value: payload.subarray(1 + nameLength) };
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Parses a JSON control payload, turning bad JSON into a ProtocolError. */
export function parseJson<T>(payload: Buffer, what: string): T {
  try {
    return JSON.parse(payload.toString('utf8')) as T;
  } catch (error) {
    throw new ProtocolError(`Malformed JSON in a ${what} frame: ${(error as Error).message}`, 'ERR_PROTOCOL_MALFORMED', { cause: error });
  }
}

/** Checks a hello against this side's protocol version; throws a coded error on mismatch. */
export function checkHello(hello: HelloMessage): void {
  if (!hello || typeof hello !== 'object' || typeof hello.version !== 'number' || !Array.isArray(hello.handlers)) {
    throw new ProtocolError('Malformed hello frame', 'ERR_PROTOCOL_MALFORMED');
  }
  if (hello.version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      `Protocol version mismatch: the worker speaks version ${hello.version}, the supervisor speaks ${PROTOCOL_VERSION}. Use the same supervise version on both sides`,
      'ERR_PROTOCOL_VERSION',
    );
  }
}

/** Worker exit codes that carry meaning to the supervisor, like Gunicorn's boot-error codes. */
export const WorkerExit = {
  /** The module failed to load or exports no handler: restarting will not help. */
  BootFailure: 3,
  /** The supervisor sent bytes that are not valid frames. */
  ProtocolError: 5,
} as const;
