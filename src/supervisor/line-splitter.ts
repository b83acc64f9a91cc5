import { StringDecoder } from 'node:string_decoder';

// Splits a byte stream into whole lines, so one worker's half line is never spliced into another log record.

const MAX_LINE = 64 * 1024;

/**
 * Returns a chunk handler that calls `onLine` once per complete line. A partial
 * line is held until its end arrives (or until `flush` at stream end); a line
 * longer than 64 KiB is emitted in pieces rather than buffered without bound.
 */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let partial = '';
  const decoder = new StringDecoder('utf8');
  return {
    push(chunk: Buffer) {
      const text = partial + decoder.write(chunk);
      let start = 0;
      let end: number;
      while ((end = text.indexOf('\n', start)) !== -1) {
        onLine(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
        start = end + 1;
      }
      partial = text.slice(start);
      if (partial.length > MAX_LINE) {
        onLine(partial);
        partial = '';
      }
    },
    flush() {
      partial += decoder.end();
      if (partial) onLine(partial);
      partial = '';
    },
  };
}

/** Keeps the last lines of a stream (bounded in lines and bytes), for crash reports. */
export class TailBuffer {
  private lines: string[] = [];
  private bytes = 0;
  constructor(
    private readonly maxLines = 30,
    private readonly maxBytes = 8 * 1024,
  ) {}

  add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
    while (this.lines.length > this.maxLines || (this.bytes > this.maxBytes && this.lines.length > 1)) {
      this.bytes -= this.lines.shift()!.length + 1;
    }
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
