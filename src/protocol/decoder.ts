/*
 * Streaming frame decoder. Socket reads split frames anywhere, and one read can
 * hold many frames, so the decoder keeps the unread chunks in a list and cuts
 * frames out of it:
 *
 *   chunk ─► [chunks...] ─► header complete? ─► length ≤ maxFrameSize? ─► payload complete? ─► onFrame
 *                                                       │ no
 *                                                       └─► ProtocolError (before allocating)
 *
 * A frame lying inside one chunk is handed out as a view of that chunk (no
 * copy). A frame spread over several chunks is copied exactly once into a
 * buffer of its final size. Nothing is ever concatenated repeatedly, so large
 * frames cost O(n), not O(n²).
 */
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';
import { DEFAULT_MAX_FRAME_SIZE, type Frame, type FrameKind, HEADER_SIZE, isKnownKind } from './frame.js';
import { isKnownEnc } from './payload.js';

const EMPTY = Buffer.alloc(0);

export interface DecoderOptions {
  /** Largest payload accepted, in bytes. @default 64 MiB */
  maxFrameSize?: number;
}

export class FrameDecoder {
  readonly maxFrameSize: number;
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private buffered = 0;
  private failed: ProtocolError | undefined;
  /** Holds a header that straddles two chunks. */
  private readonly scratch = Buffer.allocUnsafe(HEADER_SIZE);

  constructor(options: DecoderOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes received but not yet returned as frames. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Feeds one chunk and calls `onFrame` for every complete frame in order.
   * Throws a ProtocolError on bad input; after that the decoder stays failed,
   * because a byte stream cannot be resynchronised once framing is lost.
   */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= HEADER_SIZE) {
      // the header is read in place when it lies in one chunk, else from a reused scratch copy
      let h = this.chunks[0];
      let at = this.offset;
      if (h.length - at < HEADER_SIZE) {
        h = this.copyOut(HEADER_SIZE, false, this.scratch);
        at = 0;
      }
      const length = h.readUInt32BE(at);
      const kind = h[at + 4];
      const enc = h[at + 5];
      const reserved = h[at + 6] | h[at + 7];
      const id = h.readUInt32BE(at + 8);
      if (!isKnownKind(kind)) this.fail(`Unknown frame kind ${kind}`, 'ERR_PROTOCOL_UNKNOWN_KIND');
      if (!isKnownEnc(enc)) this.fail(`Unknown payload encoding ${enc} in a frame of kind ${kind}`, 'ERR_PROTOCOL');
      if (reserved !== 0) this.fail('Malformed frame header (reserved bits set): the stream is not supervise frames', 'ERR_PROTOCOL');
      if (length > this.maxFrameSize) {
        this.fail(`Frame of ${length} bytes exceeds the limit of ${this.maxFrameSize} bytes (maxFrameSize)`, 'ERR_FRAME_TOO_LARGE');
      }
      if (this.buffered < HEADER_SIZE + length) return;
      this.skip(HEADER_SIZE);
      const payload = this.take(length);
      onFrame({ kind: kind as FrameKind, enc, id, payload });
      if (this.failed) return;
    }
  }

  /**
   * Called when the stream ends. Throws if a partial frame is left over, so a
   * truncated frame is reported instead of silently dropped.
   */
  end(): void {
    if (this.failed) return;
    if (this.buffered > 0) {
      this.fail(`The channel closed in the middle of a frame (${this.buffered} bytes left over)`, 'ERR_PROTOCOL_TRUNCATED');
    }
  }

  private fail(message: string, code: ProtocolErrorCode): never {
    this.failed = new ProtocolError(message, code);
    this.chunks = [];
    this.buffered = 0;
    this.offset = 0;
    throw this.failed;
  }

  private skip(n: number): void {
    if (this.chunks[0].length - this.offset >= n) this.advance(n);
    else this.copyOut(n, true, this.scratch);
  }

  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0];
    if (first.length - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return view;
    }
    return this.copyOut(n, true);
  }

  private advance(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** Copies `n` bytes spread over several chunks into one buffer (`into`, or a new one), optionally consuming them. */
  private copyOut(n: number, consume: boolean, into?: Buffer): Buffer {
    const out = into ?? Buffer.allocUnsafe(n);
    let written = 0;
    let index = 0;
    let offset = this.offset;
    while (written < n) {
      const chunk = this.chunks[index];
      const count = Math.min(chunk.length - offset, n - written);
      chunk.copy(out, written, offset, offset + count);
      written += count;
      offset += count;
      if (offset === chunk.length) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      this.chunks.splice(0, index);
      this.offset = offset;
      this.buffered -= n;
    }
    return out;
  }
}
