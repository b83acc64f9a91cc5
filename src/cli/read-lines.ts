// Reads a stream as lines, pulling only as fast as the consumer takes them, so huge inputs use bounded memory.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Yields each line (without its newline). Stops early, without error, when `stopped()` turns true. */
export async function* readLines(stream: Readable, stopped: () => boolean): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  try {
    for await (const chunk of stream) {
      const text = partial + decoder.write(chunk as Buffer);
      let start = 0;
      let end: number;
      while ((end = text.indexOf('\n', start)) !== -1) {
        if (stopped()) return;
        yield text.slice(start, end);
        start = end + 1;
      }
      partial = text.slice(start);
      if (stopped()) return;
    }
  } catch (error) {
    // input closed under us because we were interrupted: that is a normal end
    if (stopped()) return;
    throw error;
  }
  partial += decoder.end();
  if (partial.length > 0 && !stopped()) yield partial;
}
