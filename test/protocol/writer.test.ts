import { describe, expect, it } from 'vitest';
import {
  Enc,
  type Frame,
  FrameDecoder,
  FrameKind,
  type FrameSink,
  FrameWriter,
  HEADER_SIZE,
  jobPrefix,
  parseJobPayload,
} from '../../src/protocol/index.js';
import { patternBytes, plain } from './helpers.js';

/** Records every chunk exactly as handed over, without copying (like a socket queueing writes). */
class RecordingSink implements FrameSink {
  readonly writes: Uint8Array[] = [];
  write(chunk: Uint8Array): boolean {
    this.writes.push(chunk);
    return true;
  }
  decode(): Frame[] {
    const frames: Frame[] = [];
    const decoder = new FrameDecoder();
    for (const chunk of this.writes) decoder.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), (f) => frames.push(f));
    decoder.end();
    return frames;
  }
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FrameWriter: batching', () => {
  it('writes the frames sent in one tick as one write, decoding to the same frames in order', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('"one"'));
    writer.send(FrameKind.Heartbeat, Enc.Undefined, 0);
    writer.send(FrameKind.Error, Enc.Json, 2, Buffer.from('{"name":"Error"}'));
    writer.send(FrameKind.Result, Enc.Uint8Array, 0xffffffff, new Uint8Array([0, 255]));
    expect(sink.writes).toHaveLength(0); // batched, not written synchronously
    await nextTick();
    expect(sink.writes).toHaveLength(1);
    expect(sink.writes[0].byteLength).toBe(4 * HEADER_SIZE + 5 + 16 + 2);
    expect(sink.decode().map(plain)).toEqual([
      { kind: FrameKind.Result, enc: Enc.Json, id: 1, payload: Buffer.from('"one"').toString('hex') },
      { kind: FrameKind.Heartbeat, enc: Enc.Undefined, id: 0, payload: '' },
      { kind: FrameKind.Error, enc: Enc.Json, id: 2, payload: Buffer.from('{"name":"Error"}').toString('hex') },
      { kind: FrameKind.Result, enc: Enc.Uint8Array, id: 0xffffffff, payload: '00ff' },
    ]);
  });

  it('writes each tick as its own batch', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('1'));
    writer.send(FrameKind.Result, Enc.Json, 2, Buffer.from('2'));
    await nextTick();
    writer.send(FrameKind.Result, Enc.Json, 3, Buffer.from('3'));
    await nextTick();
    await nextTick();
    expect(sink.writes).toHaveLength(2);
    expect(sink.decode().map((f) => f.id)).toEqual([1, 2, 3]);
  });

  it('writes nothing when nothing was sent', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.flush();
    await nextTick();
    expect(sink.writes).toHaveLength(0);
  });

  it('flush() writes the batch at once, and the end of the tick adds no empty write', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('1'));
    writer.flush();
    expect(sink.writes).toHaveLength(1);
    await nextTick();
    expect(sink.writes).toHaveLength(1);
    expect(sink.decode().map((f) => f.id)).toEqual([1]);
  });

  it('does not disturb earlier writes when it reuses the rest of its buffer', async () => {
    // the sink keeps references to what it was given; later batches must not overwrite them
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    const sent: { id: number; payload: Buffer }[] = [];
    for (let tick = 0; tick < 40; tick++) {
      for (let i = 0; i < 5; i++) {
        const id = tick * 5 + i;
        const payload = patternBytes(100 + ((id * 37) % 900), id + 1);
        sent.push({ id, payload });
        writer.send(FrameKind.Result, Enc.Buffer, id, payload);
      }
      await nextTick();
    }
    // at least one write per tick (a batch past the flush threshold goes out early)
    expect(sink.writes.length).toBeGreaterThanOrEqual(40);
    const got = sink.decode();
    expect(got.map((f) => f.id)).toEqual(sent.map((s) => s.id));
    got.forEach((f, i) => expect(f.payload.equals(sent[i].payload)).toBe(true));
  });

  it('keeps order when one tick sends more than fits in one batch', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    const payloads = Array.from({ length: 50 }, (_, i) => patternBytes(10_000, i + 1));
    payloads.forEach((p, i) => writer.send(FrameKind.Result, Enc.Buffer, i, p));
    await nextTick();
    const got = sink.decode();
    expect(got.map((f) => f.id)).toEqual(payloads.map((_, i) => i));
    got.forEach((f, i) => expect(f.payload.equals(payloads[i])).toBe(true));
  });
});

describe('FrameWriter: large payloads', () => {
  it.each([16 * 1024, 1024 * 1024])('passes a %i-byte payload to the sink as the same object, in order with small frames', async (size) => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    const large = new Uint8Array(patternBytes(size, 9));
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('"before"'));
    writer.send(FrameKind.Result, Enc.Uint8Array, 2, large);
    writer.send(FrameKind.Result, Enc.Json, 3, Buffer.from('"after"'));
    await nextTick();
    const index = sink.writes.indexOf(large);
    expect(index).toBeGreaterThan(0);
    expect(sink.writes.filter((w) => w === large)).toHaveLength(1);
    // nothing else in the writes is as large as the payload: it was not also copied
    expect(sink.writes.filter((w) => w !== large && w.byteLength >= size)).toHaveLength(0);
    const got = sink.decode();
    expect(got.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(got[0].payload.toString()).toBe('"before"');
    expect(Buffer.from(large).equals(got[1].payload)).toBe(true);
    expect(got[2].payload.toString()).toBe('"after"');
  });

  it('sends a job prefix with a large payload without copying the payload', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    const large = patternBytes(20_000, 4);
    writer.send(FrameKind.Job, Enc.Buffer, 5, large, jobPrefix('resize'));
    await nextTick();
    expect(sink.writes).toContain(large);
    const [frame] = sink.decode();
    expect(frame.id).toBe(5);
    const { name, value } = parseJobPayload(frame.payload);
    expect(name).toBe('resize');
    expect(value.equals(large)).toBe(true);
  });

  it('sends a job prefix with a small payload inside the batch', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Job, Enc.Json, 1, Buffer.from('[1,2]'), jobPrefix('add'));
    writer.send(FrameKind.Job, Enc.Json, 2, Buffer.from('{}'), jobPrefix('default'));
    await nextTick();
    expect(sink.writes).toHaveLength(1);
    const jobs = sink.decode().map((f) => parseJobPayload(f.payload));
    expect(jobs.map((j) => [j.name, j.value.toString()])).toEqual([
      ['add', '[1,2]'],
      ['default', '{}'],
    ]);
  });
});

describe('FrameWriter: close', () => {
  it('drops frames sent after close()', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('1'));
    await nextTick();
    expect(sink.writes).toHaveLength(1);
    writer.close();
    writer.send(FrameKind.Result, Enc.Json, 2, Buffer.from('2'));
    writer.send(FrameKind.Result, Enc.Buffer, 3, patternBytes(32 * 1024));
    writer.flush();
    await nextTick();
    expect(sink.writes).toHaveLength(1);
    expect(sink.decode().map((f) => f.id)).toEqual([1]);
  });

  it('stops writing at close(), including a batch not yet flushed', async () => {
    const sink = new RecordingSink();
    const writer = new FrameWriter(sink);
    writer.send(FrameKind.Result, Enc.Json, 1, Buffer.from('1'));
    writer.close();
    await nextTick();
    expect(sink.writes).toHaveLength(0);
  });
});
