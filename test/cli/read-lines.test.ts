// The CLI's NDJSON line reader against a reference that sees the whole input at once, however the input is cut into chunks.
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, readLines } from '../../src/cli/read-lines.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 validity by TextDecoder, not by the `isUtf8` the reader uses. */
function valid(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

type Outcome = string | { code: string; line: number };

/** What each line should give: split the whole input at newlines, then judge each line on its own. */
function reference(bytes: Buffer, limit: number): Outcome[] {
  const out: Outcome[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const piece = bytes.subarray(start, end);
    line++;
    if (piece.length > limit) out.push({ code: 'ERR_PAYLOAD_TOO_LARGE', line });
    else if (!valid(piece)) out.push({ code: 'ERR_INVALID_UTF8', line });
    else out.push(fatal.decode(piece));
    start = end + 1;
  }
  return out;
}

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

async function readAll(chunks: Buffer[], limit: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for await (const item of readLines(Readable.from(chunks), () => false, { maxLineBytes: limit })) {
    if (typeof item === 'string') out.push(item);
    else out.push({ code: (item as Error & { code: string }).code, line: Number(/Input line (\d+)/.exec(item.message)![1]) });
  }
  return out;
}

// Pieces that make newlines, whole characters of every length, and every kind of bad byte likely.
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...['\n', 'a', '"', 'é', 'ꙮ', '😀'].map((s) => [...Buffer.from(s)])) },
  { weight: 2, arbitrary: fc.constantFrom(...[0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0x8f, 0xf5, 0xff].map((b) => [b])) },
);
const input = fc.array(piece, { maxLength: 120 }).map((pieces) => Buffer.from(pieces.flat()));

describe('readLines', () => {
  it('gives each line, or its error, exactly as the reference does, however the input is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 0, max: 24 }), async (bytes, seeds, limit) => {
        expect(await readAll(chunk(bytes, seeds), limit)).toEqual(reference(bytes, limit));
      }),
      { numRuns: 1000 },
    );
  });

  it('fails a line as soon as it passes the limit, before its newline arrives, and reads the next line', async () => {
    const stream = new PassThrough();
    const lines = readLines(stream, () => false, { maxLineBytes: 10 });
    stream.write('"short"\n"this line goes');
    expect(await lines.next()).toEqual({ done: false, value: '"short"' });
    // 14 bytes pending: past the limit, with no newline in sight
    const failed = (await lines.next()).value as Error & { code: string };
    expect(failed.code).toBe('ERR_PAYLOAD_TOO_LARGE');
    expect(failed.message).toContain('Input line 2 is longer than maxFrameSize (10 bytes)');
    stream.end(' on and on"\n"next"\n');
    expect(await lines.next()).toEqual({ done: false, value: '"next"' });
    expect(await lines.next()).toEqual({ done: true, value: undefined });
  });
});

describe('firstInvalidUtf8', () => {
  it('finds nothing in valid UTF-8, and otherwise the first position where no character starts', () => {
    fc.assert(
      fc.property(input, (bytes) => {
        const at = firstInvalidUtf8(bytes);
        if (valid(bytes)) {
          expect(at).toBe(-1);
          return;
        }
        expect(valid(bytes.subarray(0, at))).toBe(true);
        // UTF-8 is self-synchronizing: after a valid prefix, the next character is at `at`, and none is there
        for (let length = 1; length <= 4; length++) {
          const candidate = bytes.subarray(at, at + length);
          expect(candidate.length === length && valid(candidate) && [...fatal.decode(candidate)].length === 1).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
