/*
 * The worker side of the channel. Frames flow like this:
 *
 *   supervisor ══ fd 3 (socketpair) ══► FrameDecoder ─► Job ─► handler(payload, ctx)
 *                                                   ├─► Cancel ─► ctx.signal aborts       │
 *                                                   └─► Shutdown ─► drain, exit 0         │
 *   supervisor ◄══ fd 3 ══ FrameWriter ◄── Result / Error ◄───────────────────────────────┘
 *                                     ◄── Hello (once), Heartbeat (every interval)
 *
 * The worker never outlives its channel: when the supervisor's end closes
 * (including when the supervisor was SIGKILLed), the worker exits, and takes
 * its process group (whatever its handlers started) with it.
 *
 * Its exit sequence is explicit:
 *
 *   serving ──shutdown frame──► draining ──last job done, beforeExit done──► exiting (channel ended, exit 0)
 *      └────────────── channel closed (the supervisor is gone) ─────────────► exiting (group killed)
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AbortError, UnknownHandlerError } from '../errors.js';
import {
  decodeValue,
  checkFrameSize,
  encodeWireValue,
  Enc,
  FrameDecoder,
  FrameKind,
  FrameWriter,
  HEADER_SIZE,
  PROTOCOL_VERSION,
  parseJobPayload,
  serializeError,
  WorkerExit,
  STREAM_WINDOW,
  JOB_HAS_INPUT,
  chunkBytes,
  creditPayload,
  readCredit,
  deserializeError,
  parseJson,
  type Frame,
  type HelloMessage,
  type SerializedError,
} from '../protocol/index.js';
import { InputQueue } from './input.js';
import { ProtocolError } from '../errors.js';
import { Lifecycle, type Moves } from '../lifecycle.js';
import { Context } from './context.js';
import { IdTable } from '../id-table.js';
import type { ModuleSettings } from './load-module.js';
import { startHeartbeat } from './heartbeat.js';
import type { Handler } from './types.js';

type RuntimePhase = 'serving' | 'draining' | 'exiting';

const RUNTIME_MOVES: Moves<RuntimePhase> = {
  serving: ['draining', 'exiting'],
  draining: ['exiting'],
  exiting: [],
};

export interface RuntimeOptions {
  channel: Socket;
  handlers: Map<string, Handler>;
  settings?: ModuleSettings;
  /** The worker's root logger, made on first use. */
  log: () => Logger;
  maxFrameSize: number;
  heartbeatInterval: number;
  exit: (code: number) => void;
  /** Serve mode: after a shutdown frame, the worker waits for this (its open connections) before it says goodbye. */
  beforeExit?: () => Promise<void>;
}

export class WorkerRuntime {
  private readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  private readonly inFlight = new IdTable<Context>();
  private readonly handlerNames: string[];
  private readonly life = new Lifecycle<RuntimePhase>(RUNTIME_MOVES, 'serving');
  private beforeExitDone = false;
  private beforeExitStarted = false;
  private stopHeartbeat: () => void = () => {};
  private readonly onFrameBound = (frame: Frame) => this.onFrame(frame);
  private readonly progressQueue = new Set<Context>();
  private progressScheduled = false;
  private readonly progressOutbox = {
    post: (ctx: Context) => {
      this.progressQueue.add(ctx);
      if (this.progressScheduled) return;
      this.progressScheduled = true;
      setImmediate(() => this.flushProgress());
    },
  };

  constructor(private readonly options: RuntimeOptions) {
    this.writer = new FrameWriter(options.channel);
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.handlerNames = [...options.handlers.keys()];
  }

  /**
   * Says hello, starts heartbeats and serves frames until the channel closes
   * or a shutdown drains. `early` holds what arrived while the module loaded.
   */
  start(early: Buffer[] = []): void {
    const { channel } = this.options;
    for (const chunk of early) this.receive(chunk);
    channel.on('end', () => this.onChannelClosed());
    channel.on('close', () => this.onChannelClosed());
    channel.on('error', () => this.onChannelClosed());
    const hello: HelloMessage = { version: PROTOCOL_VERSION, pid: process.pid, handlers: this.handlerNames };
    if (this.options.settings?.keepProcessGroup) hello.keepProcessGroup = true;
    this.sendJson(FrameKind.Hello, 0, hello);
    this.stopHeartbeat = startHeartbeat(this.options.heartbeatInterval, (beat) => {
      this.sendJson(FrameKind.Heartbeat, 0, beat);
      this.writer.flush();
    });
  }

  /** Takes the bytes of one read of the channel (the channel is read with `onread`, see main.ts). */
  receive(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, this.onFrameBound);
    } catch (error) {
      process.stderr.write(`supervise worker ${process.pid}: invalid data from the supervisor, exiting: ${(error as Error).message}\n`);
      this.options.exit(WorkerExit.ProtocolError);
    }
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Job:
        return this.runJob(frame);
      case FrameKind.Chunk: {
        const ctx = this.inFlight.get(frame.id);
        // the job already ended: its input is of no use
        if (!ctx) return;
        if (!ctx.inputQueue) throw new ProtocolError(`Input for job ${frame.id}, which was given none`, 'ERR_PROTOCOL_UNEXPECTED');
        ctx.inputQueue.push(decodeValue(frame.enc, frame.payload));
        return;
      }
      case FrameKind.InputEnd: {
        const ctx = this.inFlight.get(frame.id);
        if (!ctx?.inputQueue) return;
        ctx.inputQueue.end(frame.payload.length > 0 ? deserializeError(parseJson<SerializedError>(frame.payload, 'input error')) : undefined);
        return;
      }
      case FrameKind.Credit: {
        const ctx = this.inFlight.get(frame.id);
        if (!ctx) return; // the stream ended meanwhile
        const count = readCredit(frame.payload);
        ctx.credits += count;
        ctx.unread.taken(count);
        if (ctx.credits > STREAM_WINDOW) throw new ProtocolError(`Credit overflow: ${ctx.credits} chunks allowed, the window is ${STREAM_WINDOW}`, 'ERR_PROTOCOL_CREDIT');
        ctx.onCredit?.();
        return;
      }
      case FrameKind.Cancel: {
        const ctx = this.inFlight.get(frame.id);
        if (ctx) ctx.abort(new AbortError('The job was cancelled'));
        return;
      }
      case FrameKind.Shutdown:
        this.life.to('draining');
        return this.maybeExit();
      default:
        throw new Error(`unexpected ${frame.kind} frame from the supervisor`);
    }
  }

  private runJob(frame: Frame): void {
    const { id } = frame;
    const { name, attempt, flags, meta, value } = parseJobPayload(frame.payload);
    const handler = this.options.handlers.get(name);
    if (!handler) {
      this.sendError(id, new UnknownHandlerError(name, this.handlerNames));
      return;
    }
    const payload = decodeValue(frame.enc, value);
    const ctx = new Context(id, attempt, meta, this.options.log, this.progressOutbox);
    if (flags & JOB_HAS_INPUT) ctx.inputQueue = new InputQueue(() => this.sendCredit(id, 1));
    this.inFlight.set(id, ctx);
    let result: unknown;
    try {
      result = handler(payload, ctx);
    } catch (error) {
      return this.finish(id, false, error);
    }
    if (isAsyncIterator(result)) {
      this.pumpStream(ctx, result).then(
        (value) => this.finish(id, true, value),
        (error) => this.finish(id, false, error),
      );
    } else if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      try {
        (result as PromiseLike<unknown>).then(
          (value) => this.finish(id, true, value),
          (error) => this.finish(id, false, error),
        );
      } catch (error) {
        // a thenable whose then() throws: that is the job's error
        this.finish(id, false, error);
      }
    } else {
      this.finish(id, true, result);
    }
  }

  /**
   * Sends a generator handler's chunks as the caller's credit allows, and
   * returns its return value. A cancel stops the generator (return()).
   */
  private async pumpStream(ctx: Context, iterator: AsyncIterator<unknown>): Promise<unknown> {
    for (;;) {
      while ((ctx.credits === 0 || ctx.unread.full) && !ctx.aborted) await new Promise<void>((resolve) => (ctx.onCredit = resolve));
      ctx.onCredit = undefined;
      if (ctx.aborted) {
        await iterator.return?.();
        throw ctx.signal.reason;
      }
      const step = await iterator.next();
      if (step.done) return step.value;
      if (!this.inFlight.has(ctx.jobId)) {
        await iterator.return?.();
        return undefined;
      }
      const encoded = encodeWireValue(step.value);
      checkFrameSize(encoded.data, 0, this.options.maxFrameSize, 'chunk');
      // progress reported so far goes out before the chunk
      if (ctx.pendingProgress) this.sendProgress(ctx);
      ctx.credits--;
      ctx.unread.sent(chunkBytes(encoded.data));
      this.writer.send(FrameKind.Chunk, encoded.enc, ctx.jobId, encoded.data);
    }
  }

  private finish(id: number, ok: boolean, value: unknown): void {
    const ctx = this.inFlight.get(id);
    if (!ctx) return;
    this.inFlight.delete(id);
    // the last progress value goes out before the result
    if (ctx.pendingProgress) this.sendProgress(ctx);
    if (ok) {
      try {
        const encoded = encodeWireValue(value);
        checkFrameSize(encoded.data, 0, this.options.maxFrameSize, 'result');
        this.writer.send(FrameKind.Result, encoded.enc, id, encoded.data);
      } catch (error) {
        this.sendError(id, error);
      }
    } else {
      this.sendError(id, value);
    }
    if (this.life.state === 'draining') this.maybeExit();
  }

  private sendCredit(id: number, count: number): void {
    this.writer.send(FrameKind.Credit, 0, id, creditPayload(count));
  }

  /** Sends every job's latest progress value; runs once per turn of the event loop while updates are pending. */
  private flushProgress(): void {
    this.progressScheduled = false;
    for (const ctx of this.progressQueue) if (ctx.pendingProgress) this.sendProgress(ctx);
    this.progressQueue.clear();
  }

  private sendProgress(ctx: Context): void {
    const { value } = ctx.pendingProgress!;
    ctx.pendingProgress = undefined;
    try {
      const update = encodeWireValue(value);
      checkFrameSize(update.data, 0, this.options.maxFrameSize, 'progress');
      this.writer.send(FrameKind.Progress, update.enc, ctx.jobId, update.data);
    } catch (error) {
      process.stderr.write(`supervise worker ${process.pid}: job ${ctx.jobId}: progress not sent: ${(error as Error).message}\n`);
    }
  }

  private sendError(id: number, error: unknown): void {
    let text: string;
    try {
      text = JSON.stringify(serializeError(error));
      checkFrameSize(text, 0, this.options.maxFrameSize, 'error');
    } catch (failure) {
      // the job still gets exactly one answer, even when its error cannot be carried as it is
      text = JSON.stringify(serializeError(new Error(`The handler failed, and its error could not be sent: ${(failure as Error)?.message}`)));
    }
    this.writer.send(FrameKind.Error, Enc.Json, id, text);
  }

  /**
   * Sends one ctx.log record (a pino JSON line) to the supervisor as data, on the channel, so that nothing the
   * module prints on stdout is ever mistaken for a log record. False when it cannot go (too large for a frame).
   */
  sendLog(record: string): boolean {
    if (Buffer.byteLength(record) > this.options.maxFrameSize - HEADER_SIZE) return false;
    this.writer.send(FrameKind.Log, Enc.Json, 0, record);
    return true;
  }

  private sendJson(kind: FrameKind, id: number, value: unknown): void {
    this.writer.send(kind, Enc.Json, id, JSON.stringify(value));
  }

  private maybeExit(): void {
    if (this.life.state !== 'draining' || this.inFlight.size > 0) return;
    if (this.options.beforeExit && !this.beforeExitDone) {
      if (this.beforeExitStarted) return;
      this.beforeExitStarted = true;
      const proceed = () => {
        this.beforeExitDone = true;
        this.maybeExit();
      };
      this.options.beforeExit().then(proceed, proceed);
      return;
    }
    this.life.to('exiting');
    this.stopHeartbeat();
    this.writer.flush();
    this.options.channel.end(() => this.options.exit(0));
  }

  private onChannelClosed(): void {
    if (!this.life.to('exiting')) return;
    // The supervisor is gone (or closed our channel): nobody can receive results, so stop now,
    // and take along whatever the handlers started (the worker leads its own process group).
    this.stopHeartbeat();
    this.writer.close();
    if (!this.options.settings?.keepProcessGroup) {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        // not a group leader (started by hand, in tests): just exit
      }
    }
    this.options.exit(0);
  }
}

/** An async generator (or any async iterator) returned by a handler: its values are streamed as chunks. */
function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' &&
    typeof (value as AsyncIterator<unknown>).next === 'function'
  );
}
