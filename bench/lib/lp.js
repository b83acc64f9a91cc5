// Minimal length-prefixed framing for the RAW baseline: a 4-byte big-endian
// payload length, then the payload. No kinds, no ids, no encodings: the
// smallest protocol that can carry messages over a byte stream.
//
// A frame inside one socket chunk is handed out as a view (no copy); a frame
// spread over several chunks is copied once into a buffer of its final size,
// so the receiver always gets one contiguous message.

export class LengthPrefixDecoder {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.chunks = [];
    this.buffered = 0;
    this.need = -1; // payload length of the frame being read, -1 while reading a header
  }

  push(chunk) {
    if (this.buffered === 0) {
      // fast path: parse frames straight out of this chunk
      let at = 0;
      const end = chunk.length;
      while (end - at >= 4) {
        const len = chunk.readUInt32BE(at);
        if (end - at - 4 < len) break;
        this.onMessage(chunk.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
      if (at === end) return;
      chunk = chunk.subarray(at);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) return;
        this.need = this.take(4).readUInt32BE(0);
      }
      if (this.buffered < this.need) return;
      const payload = this.take(this.need);
      this.need = -1;
      this.onMessage(payload);
    }
  }

  take(n) {
    const first = this.chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const c = this.chunks[0];
      const count = Math.min(c.length, n - written);
      c.copy(out, written, 0, count);
      written += count;
      if (count === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(count);
    }
    this.buffered -= n;
    return out;
  }
}

export function header(length) {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE(length, 0);
  return h;
}
