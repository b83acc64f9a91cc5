// The worker entry on its own: driven over a socketpair by the test, as the supervisor would.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { CrashLoopError, createSupervisor, type Supervisor } from 'supervise';
import { decodeValue, encodeFrame, encodeValue, Enc, FrameDecoder, FrameKind, jobPrefix, PROTOCOL_VERSION, type Frame } from '../../src/protocol/index.js';
import { fixture } from '../helpers.js';

const entry = fileURLToPath(new URL('../../dist/worker/main.js', import.meta.url));

function startWorker(module: string) {
  const config = { module: pathToFileURL(module).href, workerId: 7, heartbeatInterval: 0, maxFrameSize: 1024 * 1024, logLevel: 'silent' };
  const child = spawn(process.execPath, [entry, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const channel = child.stdio[3] as Socket;
  const frames: Frame[] = [];
  const decoder = new FrameDecoder();
  channel.on('data', (chunk: Buffer) => decoder.push(chunk, (frame) => frames.push(frame)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, channel, frames, exited, stderr: () => stderr };
}

async function until(check: () => boolean, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let sup: Supervisor | undefined;
afterEach(async () => {
  await sup?.destroy();
  sup = undefined;
});

it('says hello, runs a job, and exits 0 when its channel closes', async () => {
  const worker = startWorker(fixture('plain.js'));
  await until(() => worker.frames.length >= 1);
  expect(worker.frames[0].kind).toBe(FrameKind.Hello);
  expect(JSON.parse(worker.frames[0].payload.toString())).toMatchObject({ version: PROTOCOL_VERSION, pid: worker.child.pid, handlers: ['default'] });
  const { enc, bytes } = encodeValue('hi');
  worker.channel.write(encodeFrame(FrameKind.Job, enc, 41, Buffer.concat([jobPrefix('default'), bytes])));
  await until(() => worker.frames.length >= 2);
  const reply = worker.frames[1];
  expect(reply).toMatchObject({ kind: FrameKind.Result, id: 41 });
  expect(decodeValue(reply.enc, reply.payload)).toEqual({ got: 'hi', pid: worker.child.pid });
  worker.channel.end();
  const [code] = await worker.exited;
  expect(code).toBe(0);
});

it('exits with a clear message when the supervisor sends bytes that are not frames', async () => {
  const worker = startWorker(fixture('plain.js'));
  await until(() => worker.frames.length >= 1);
  worker.channel.write(Buffer.from('this is not a frame at all'));
  const [code] = await worker.exited;
  expect(code).toBe(5);
  expect(worker.stderr()).toMatch(/supervise worker \d+: invalid data from the supervisor, exiting: Unknown frame kind/);
});

it('exits when a frame claims more than maxFrameSize, without allocating it', async () => {
  const worker = startWorker(fixture('plain.js'));
  await until(() => worker.frames.length >= 1);
  const header = Buffer.alloc(12);
  header.writeUInt32BE(0xfffffff0, 0);
  header[4] = FrameKind.Job;
  header[5] = Enc.Json;
  worker.channel.write(header);
  const [code] = await worker.exited;
  expect(code).toBe(5);
  expect(worker.stderr()).toContain('exceeds the limit of 1048576 bytes');
});

it('finishes in-flight jobs after a shutdown frame, then exits 0', async () => {
  const worker = startWorker(fixture('plain.js'));
  await until(() => worker.frames.length >= 1);
  const { enc, bytes } = encodeValue(5);
  worker.channel.write(Buffer.concat([encodeFrame(FrameKind.Job, enc, 1, Buffer.concat([jobPrefix('default'), bytes])), encodeFrame(FrameKind.Shutdown, 0, 0)]));
  const [code] = await worker.exited;
  expect(code).toBe(0);
  expect(worker.frames.map((f) => f.kind)).toEqual([FrameKind.Hello, FrameKind.Result]);
});

it('the supervisor rejects a worker of another protocol version with a clear error', async () => {
  sup = createSupervisor({ worker: fixture('wrong-version.ts'), workers: 1, logLevel: 'silent' });
  const error = (await sup.run(1).catch((e: unknown) => e)) as CrashLoopError;
  expect(error).toBeInstanceOf(CrashLoopError);
  expect(error.message).toContain(`Protocol version mismatch: the worker speaks version 99, the supervisor speaks ${PROTOCOL_VERSION}`);
  expect((error.cause as { cause?: { code?: string } }).cause?.code).toBe('ERR_PROTOCOL_VERSION');
});

it('exits with a coded message when the supervisor grants more stream credit than the window, or sends input a job was not given', async () => {
  const worker = startWorker(fixture('progress.ts'));
  await until(() => worker.frames.length >= 1);
  const { enc, bytes } = encodeValue({ count: 3 });
  worker.channel.write(encodeFrame(FrameKind.Job, enc, 9, Buffer.concat([jobPrefix('numbers'), bytes])));
  await until(() => worker.frames.some((f) => f.kind === FrameKind.Result));
  // a stream that finished: credit for it is ignored
  const credit = (count: number) => {
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(count, 0);
    return payload;
  };
  worker.channel.write(encodeFrame(FrameKind.Credit, 0, 9, credit(1)));
  // a running stream granted more than its window
  worker.channel.write(encodeFrame(FrameKind.Job, enc, 10, Buffer.concat([jobPrefix('endless'), encodeValue({ file: '/dev/null' }).bytes])));
  await until(() => worker.frames.some((f) => f.kind === FrameKind.Chunk && f.id === 10));
  worker.channel.write(encodeFrame(FrameKind.Credit, 0, 10, credit(0xffffffff)));
  const [code] = await worker.exited;
  expect(code).toBe(5);
  expect(worker.stderr()).toMatch(/invalid data from the supervisor, exiting: Credit overflow/);

  const second = startWorker(fixture('progress.ts'));
  await until(() => second.frames.length >= 1);
  second.channel.write(encodeFrame(FrameKind.Job, enc, 11, Buffer.concat([jobPrefix('endless'), encodeValue({ file: '/dev/null' }).bytes])));
  await until(() => second.frames.some((f) => f.kind === FrameKind.Chunk && f.id === 11));
  second.channel.write(encodeFrame(FrameKind.Chunk, Enc.Json, 11, Buffer.from('1')));
  const [code2] = await second.exited;
  expect(code2).toBe(5);
  expect(second.stderr()).toMatch(/Input for job 11, which was given none/);
});

it('hands a job its byte payload as bytes that stay intact while later reads arrive (the channel is read into shared slabs)', async () => {
  sup = createSupervisor({ worker: fixture('handlers.ts'), workers: 1, perWorker: 64, logLevel: 'silent' });
  await sup.ready();
  // 3,000 payloads of 1 B..4 KiB, 64 in flight, in order to one worker: it reads them into many slabs, back to back, and keeps every one
  const sent = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 4096), (i * 31) & 0xff));
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < sent.length) await sup!.run(new Uint8Array(sent[next++]), { name: 'keep' });
    }),
  );
  const joined = (await sup.run(null, { name: 'keptBytesJoined' })) as Uint8Array;
  const expected = Buffer.concat(sent);
  expect(joined.byteLength).toBe(expected.length);
  expect(Buffer.from(joined).equals(expected)).toBe(true);
});
