// Worker module for `npm run bench:stream`: 1 MiB chunks out and in, and a progress flood.
const CHUNK = new Uint8Array(1024 * 1024).fill(7);

/** Yields `count` 1 MiB chunks (the same bytes each time). */
export async function* produce(count) {
  for (let i = 0; i < count; i++) yield CHUNK;
}

/** Reads its input, sleeping `ms` per chunk, and returns the bytes read. */
export async function consume(ms, ctx) {
  let bytes = 0;
  for await (const chunk of ctx.input) {
    bytes += chunk.byteLength;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
  return bytes;
}

/** Busy work of `n` steps, reporting progress at every step when `report` is set. */
export function work({ n, report }, ctx) {
  let x = 0;
  for (let i = 0; i < n; i++) {
    x = (x * 31 + i) % 1000003;
    if (report) ctx.progress(i);
  }
  return x;
}
