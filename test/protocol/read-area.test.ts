import { expect, it } from 'vitest';
import { ReadArea } from '../../src/protocol/read-area.js';

/** Plays the socket: writes `bytes` into the buffer next() gives, as a read would, and takes them. */
function read(area: ReadArea, bytes: Uint8Array): Buffer {
  const into = area.next();
  expect(into.length).toBeGreaterThanOrEqual(bytes.length);
  into.set(bytes);
  return area.take(bytes.length);
}

it('hands out each read as a view that later reads never write over', () => {
  const area = new ReadArea();
  const views: Buffer[] = [];
  const sent: Buffer[] = [];
  // 3 MiB in reads of 1..9000 bytes: many slabs' worth, with reads landing back to back
  for (let i = 0, total = 0; total < 3 * 1024 * 1024; i++) {
    const bytes = Buffer.alloc(1 + ((i * 7919) % 9000), i & 0xff);
    total += bytes.length;
    sent.push(bytes);
    views.push(read(area, bytes));
  }
  for (let i = 0; i < sent.length; i++) expect(views[i].equals(sent[i])).toBe(true);
});

it('always offers room for at least 16 KiB, starting a new slab when the free part is smaller', () => {
  const area = new ReadArea();
  const first = area.next();
  read(area, Buffer.alloc(first.length - 100));
  const next = area.next();
  expect(next.length).toBeGreaterThanOrEqual(16 * 1024);
  expect(next.buffer).not.toBe(first.buffer);
});
