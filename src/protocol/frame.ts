/*
 * Frame layout. Every message on the fd-3 channel, in both directions, is one
 * frame: a fixed 12-byte header followed by `length` payload bytes.
 *
 *   0               4       5       6               8                  12
 *   +---------------+-------+-------+---------------+------------------+
 *   | length (u32)  | kind  | enc   | reserved = 0  | job id (u32)     |
 *   +---------------+-------+-------+---------------+------------------+
 *   | payload: `length` bytes, interpreted according to `kind` and `enc` |
 *   +-------------------------------------------------------------------+
 *
 * All integers are big-endian. `length` counts the payload only, so an empty
 * frame is exactly 12 bytes. `kind` is one of FrameKind. `enc` says how the
 * payload encodes a value (see payload.ts); frames that carry no value use 0.
 * `job id` is 0 for frames that are not about a job (hello, heartbeat, ...).
 * A receiver rejects any frame whose kind or enc it does not know, or whose
 * reserved field is not zero: that is how garbage on the wire is caught early.
 */

export const HEADER_SIZE = 12;
export const PROTOCOL_VERSION = 4;
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;
/** Chunks a generator handler may send before the caller takes any: the credit window, the same on both sides. */
export const STREAM_WINDOW = 16;
/**
 * The sender also holds back while this many bytes of chunks are unread (a
 * chunk larger than this still goes when nothing else is unread), so big
 * chunks do not pile up 16 deep in the reader's memory.
 */
export const STREAM_BYTE_WINDOW = 4 * 1024 * 1024;

/** Bytes a chunk's encoded data counts for against STREAM_BYTE_WINDOW. */
export function chunkBytes(data: Uint8Array | string): number {
  return typeof data === 'string' ? data.length : data.byteLength;
}

/**
 * What a sender of chunks has in flight: their sizes, oldest first. A credit
 * of n from the reader means the n oldest were taken.
 */
export class SentChunks {
  private readonly sizes: number[] = [];
  bytes = 0;

  sent(size: number): void {
    this.sizes.push(size);
    this.bytes += size;
  }

  taken(count: number): void {
    for (let i = 0; i < count && this.sizes.length > 0; i++) this.bytes -= this.sizes.shift()!;
  }

  /** Whether the byte window is full (and something is unread). */
  get full(): boolean {
    return this.bytes >= STREAM_BYTE_WINDOW && this.sizes.length > 0;
  }
}

export const FrameKind = {
  /** worker → supervisor, once, after the module loaded: { version, pid, handlers } */
  Hello: 1,
  /** supervisor → worker: run a job; payload is handler name, attempt, meta, then the value */
  Job: 2,
  /** worker → supervisor: the job's result value */
  Result: 3,
  /** worker → supervisor: the job's error, as a serialized error */
  Error: 4,
  /** supervisor → worker: abort the job's ctx.signal */
  Cancel: 5,
  /** worker → supervisor: liveness and resource usage, JSON */
  Heartbeat: 6,
  /** supervisor → worker: finish in-flight jobs, then exit */
  Shutdown: 7,
  /** worker → supervisor: the module could not be loaded; serialized error, then exit */
  BootError: 8,
  /** worker → supervisor: the job's latest progress value (ctx.progress) */
  Progress: 9,
  /** worker → supervisor: one chunk a generator handler yielded (the result frame ends the stream);
   *  supervisor → worker: one chunk of the job's input (`ctx.input`) */
  Chunk: 10,
  /** the reader took chunks; payload u32, how many more the other side may send (both directions) */
  Credit: 11,
  /** supervisor → worker: the job's input ended; empty, or a serialized error when its source failed */
  InputEnd: 12,
  /** worker → supervisor: one ctx.log record, pino JSON (id: the job's, or 0) */
  Log: 13,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(FrameKind).map(([name, value]) => [value, name]),
);

/** The frame kind's name for messages, or `unknown(n)`. */
export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `unknown(${kind})`;
}

export function isKnownKind(kind: number): kind is FrameKind {
  return kind in KIND_NAMES;
}

export interface Frame {
  kind: FrameKind;
  enc: number;
  id: number;
  payload: Buffer;
}

/** Writes a frame header into `target` at `offset`; used by the encoders so a batch is built in one buffer. */
export function writeHeader(target: Buffer, offset: number, length: number, kind: number, enc: number, id: number): void {
  target.writeUInt32BE(length, offset);
  target[offset + 4] = kind;
  target[offset + 5] = enc;
  target[offset + 6] = 0;
  target[offset + 7] = 0;
  target.writeUInt32BE(id >>> 0, offset + 8);
}

/** Encodes one frame into a fresh buffer (header + payload in one allocation). */
export function encodeFrame(kind: FrameKind, enc: number, id: number, payload?: Uint8Array): Buffer {
  const length = payload ? payload.byteLength : 0;
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, 0, length, kind, enc, id);
  if (payload && length > 0) out.set(payload, HEADER_SIZE);
  return out;
}

