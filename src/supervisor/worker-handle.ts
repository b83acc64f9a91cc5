/*
 * One worker process as the supervisor sees it, as a small state machine:
 *
 *   starting ──hello──► ready ──drain (recycle, reload, resize, close)──► draining ──► exited
 *       │                 │                                                  │           ▲
 *       │                 └──────────kill (timeout, heartbeat, deadline)──► stopping ──┤
 *       └──boot error, crash, spawn failure, outside kill───────────────────────────────┘
 *
 * It owns the channel: frames out through a FrameWriter, frames in through a
 * FrameDecoder. Anything on the channel that breaks the protocol (garbage, an
 * oversized length, an unknown kind, a result for a job it was not given)
 * gets the worker killed with a coded ProtocolError; its jobs are then the
 * supervisor's to retry. Signals go to the worker's whole process group, so
 * whatever a handler started goes with it. When it ends, it reports the facts
 * of its exit; what they mean is decided in exit-policy.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { describeExit, ProtocolError, WorkerBootError } from '../errors.js';
import { Lifecycle, type Moves } from '../lifecycle.js';
import {
  checkHello,
  decodeValue,
  deserializeError,
  FrameDecoder,
  FrameKind,
  FrameWriter,
  kindName,
  STREAM_WINDOW,
  Enc,
  creditPayload,
  readCredit,
  parseJson,
  serializeError,
  type Frame,
  type HeartbeatMessage,
  type HelloMessage,
  type SerializedError,
} from '../protocol/index.js';
import type { ExitFacts, StopOrder } from './exit-policy.js';
import { IdTable } from '../id-table.js';
import type { Job } from './job.js';
import { TailBuffer } from './line-splitter.js';
import { writesOwnPid, type SuperviseLogger } from './log.js';
import type { ResolvedOptions } from './options.js';
import { passthrough } from './passthrough.js';
import { spawnWorker, type SpawnedWorker } from './spawn.js';
import { releaseGroup } from './watchdog.js';
import { describeDropped, pipeWorkerOutput, type DroppedOutput, type WorkerOutputSink } from './worker-output.js';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopping' | 'exited';

const WORKER_MOVES: Moves<WorkerState> = {
  starting: ['ready', 'draining', 'stopping', 'exited'],
  ready: ['draining', 'stopping', 'exited'],
  draining: ['stopping', 'exited'],
  stopping: ['exited'],
  exited: [],
};

export interface WorkerExitInfo extends ExitFacts {
  /** Why it ended, for messages: `exited with exit code 1`, `was killed (signal SIGTERM): heartbeat timeout`, ... */
  reason: string;
  stderrTail: string;
  /** Set when it ended before its hello: what is known of why the module did not load. */
  bootError: WorkerBootError | undefined;
}

/**
 * What a worker handle reports to its pool.
 * @internal
 */
export interface WorkerOwner {
  readonly log: SuperviseLogger;
  /** @internal */
  onReady(worker: WorkerHandle): void;
  /** A job finished on this worker, or an abandoned job's late reply arrived: a slot is free. @internal */
    onSlotFreed(): void;
  /** @internal */
  onHeartbeat(worker: WorkerHandle): void;
  /** @internal */
  onExit(worker: WorkerHandle, info: WorkerExitInfo): void;
  /** Output over the worker's budget was dropped. @internal */
    onOutputDropped(worker: WorkerHandle, drop: DroppedOutput): void;
}

/** @internal */
export class WorkerHandle {
  private readonly life = new Lifecycle<WorkerState>(WORKER_MOVES, 'starting', (_from, to) => this.onMove(to));
  private markReady!: () => void;
  private markExited!: () => void;
  /** Resolves when the worker becomes ready (never, if it ends first). */
  readonly readied = new Promise<void>((resolve) => (this.markReady = resolve));
  /** Resolves when the worker has exited and been reaped. */
  readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));
  /** The jobs this worker is running, by id. */
  readonly inFlight: IdTable<Job>;
  /** Jobs settled here (timed out, cancelled) whose reply has not come yet; they still occupy a slot. */
  readonly abandoned = new Map<number, NodeJS.Timeout | undefined>();
  pid: number | undefined;
  jobsStarted = 0;
  rss = 0;
  loopDelay = 0;
  lastBeat = Date.now();
  readonly startedAt = Date.now();
  /** Why the supervisor stopped this worker, if it did; the first order wins. */
  order: StopOrder | undefined;
  private orderReason: string | undefined;
  /** A replacement is starting for this worker (recycling); it keeps serving until that one is ready. */
  replacedBy: WorkerHandle | undefined;
  /** The worker this one was started to replace. */
  replaces: WorkerHandle | undefined;
  /** How the worker being replaced is to be stopped once its replacement is ready. */
  replaceOrder: { order: 'recycle' | 'reload'; reason: string } | undefined;
  private bootError: SerializedError | undefined;
  private spawnError: NodeJS.ErrnoException | undefined;
  private keepProcessGroup = false;
  /** A kill was ordered (not only a drain). */
  private killed = false;
  private readonly tail = new TailBuffer();
  private readonly spawned: SpawnedWorker | undefined;
  private readonly writer: FrameWriter | undefined;
  private readonly decoder: FrameDecoder;
  private readonly log: SuperviseLogger;
  private killTimer: NodeJS.Timeout | undefined;
  /** The hello arrived: the module loaded. */
  private greeted = false;
  /** A protocol error was seen; nothing more from this channel is trusted. */
  private broken = false;
  private readonly onFrameBound = (frame: Frame) => this.onFrame(frame);

  constructor(
    readonly id: number,
    private readonly owner: WorkerOwner,
    private readonly options: ResolvedOptions,
    /** Jobs after which this worker is recycled (maxJobsPerWorker with jitter). */
    readonly jobLimit: number,
    /** The module the worker loads: the user's, or its compiled JavaScript. */
    module: { url: string; execArgv: string[] },
    /** Serve mode: spawn with a Node IPC channel beside the fd-3 channel. */
    ipc = false,
  ) {
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.inFlight = new IdTable<Job>(options.perWorker);
    try {
      this.spawned = spawnWorker(
        {
          module: module.url,
          workerId: id,
          heartbeatInterval: options.heartbeatInterval,
          maxFrameSize: options.maxFrameSize,
          // ctx.log records travel only when they are logged somewhere
          logLevel: options.workerOutput === 'log' ? (owner.log.level ?? 'info') : 'silent',
        },
        { ...options, execArgv: [...module.execArgv, ...options.execArgv], ipc },
      );
    } catch (error) {
      // the fd table is full, no memory, no node binary: the pool backs off and tries again; the host must not die
      this.spawnError = asErrno(error);
    }
    this.pid = this.spawned?.process.pid;
    // the worker's pid, as `pid` unless the logger writes the supervisor's own there already
    this.log = owner.log.child({ workerId: id, [writesOwnPid(owner.log) ? 'workerPid' : 'pid']: this.pid });
    if (!this.spawned) {
      this.writer = undefined;
      setImmediate(() => this.onExit(null, null));
      return;
    }
    this.writer = new FrameWriter(this.spawned.channel);
    this.wireChannel(this.spawned);
    this.wireOutput();
    this.wireExit(this.spawned);
  }

  get state(): WorkerState {
    return this.life.state;
  }

  private onMove(to: WorkerState): void {
    if (to === 'ready') this.markReady();
    else if (to === 'exited') this.markExited();
  }

  /** When the worker entered its current state (ms since the epoch). */
  get stateSince(): number {
    return this.life.since;
  }

  /** Jobs occupying this worker's slots. */
  get load(): number {
    return this.inFlight.size + this.abandoned.size;
  }

  /** The child process (serve mode passes connections over its IPC channel). */
  get child(): ChildProcess {
    if (!this.spawned) throw new ProtocolError('The worker process was never spawned', 'ERR_PROTOCOL');
    return this.spawned.process;
  }

  get stderrTail(): string {
    return this.tail.toString();
  }

  /** Sends a job; the caller checked that the worker is ready and has a free slot. */
  send(job: Job): void {
    this.inFlight.set(job.id, job);
    this.jobsStarted++;
    job.worker = this;
    this.writer!.send(FrameKind.Job, job.enc, job.id, job.data, job.prefix);
  }

  /**
   * Gives up on a job that was settled elsewhere (timeout, cancel): the worker
   * is told to abort it, and gets `killGrace` ms to reply before it is killed.
   */
  abandon(job: Job, killGrace: number): void {
    if (!this.inFlight.delete(job.id)) return;
    this.writer?.send(FrameKind.Cancel, 0, job.id);
    const timer = this.life.state === 'exited'
      ? undefined
      : setTimeout(() => this.kill('cancel', `job ${job.id} did not stop within killGrace (${killGrace} ms) after it was cancelled`), killGrace);
    timer?.unref();
    this.abandoned.set(job.id, timer);
  }

  /** Stops taking jobs and asks the worker to exit once its in-flight jobs are done. */
  drain(order: StopOrder, reason: string): void {
    this.setOrder(order, reason);
    if (!this.life.to('draining')) return;
    this.writer?.send(FrameKind.Shutdown, 0, 0);
    this.writer?.flush();
  }

  /** Kills the worker and its process group: SIGTERM, then SIGKILL after `grace` ms. Its jobs are the pool's to retry. */
  kill(order: StopOrder, reason: string, grace = this.options.killGrace): void {
    if (this.life.state === 'exited') return;
    this.setOrder(order, reason, true);
    this.life.to('stopping');
    this.signal('SIGTERM');
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => this.signal('SIGKILL'), grace);
      this.killTimer.unref();
    }
  }

  /** Ends the worker and its process group now with SIGKILL. */
  forceKill(order: StopOrder, reason: string): void {
    if (this.life.state === 'exited') return;
    this.setOrder(order, reason, true);
    this.life.to('stopping');
    this.signal('SIGKILL');
  }

  /** Records why the worker is being stopped: the first reason wins, except that a kill overrides the drain it escalates. */
  private setOrder(order: StopOrder, reason: string, kill = false): void {
    if (this.order !== undefined && (!kill || this.killed)) return;
    if (kill) this.killed = true;
    this.order = order;
    this.orderReason = reason;
    const routine = order === 'recycle' || order === 'reload' || order === 'resize' || order === 'close' || order === 'destroy' || order === 'failed';
    this.log[routine ? 'debug' : 'warn']({ order, reason }, routine ? 'stopping worker' : 'killing worker');
  }

  /** Signals the worker's process group (it leads one), or the worker alone when its module asked to keep the group. */
  private signal(name: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(this.keepProcessGroup ? pid : -pid, name);
    } catch {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  }

  private wireChannel(spawned: SpawnedWorker): void {
    const { channel } = spawned;
    channel.on('data', (chunk: Buffer) => {
      if (this.life.state === 'exited' || this.broken) return;
      try {
        this.decoder.push(chunk, this.onFrameBound);
      } catch (error) {
        this.protocolError(error);
      }
    });
    channel.on('end', () => {
      if (this.life.state === 'exited' || this.broken) return;
      try {
        this.decoder.end();
      } catch (error) {
        this.protocolError(error);
      }
    });
    channel.on('error', (error) => this.log.debug({ err: error }, 'channel error'));
    channel.on('close', () => {
      this.writer!.close();
      if (this.life.state === 'exited') return;
      if (this.order !== undefined) {
        // closing the channel is how a draining worker says goodbye; it exits next
        setTimeout(() => this.kill(this.order!, 'did not exit after closing its channel'), 5000).unref();
        return;
      }
      // a worker that closed its channel on its own can no longer serve: no more jobs for it, and if it does not exit by itself, end it.
      // Not an order: if it has to be killed, that exit is judged as the crash it is.
      this.life.to('stopping');
      setTimeout(() => this.signal('SIGKILL'), 200).unref();
    });
  }

  private protocolError(error: unknown): void {
    const err = error instanceof ProtocolError ? error : new ProtocolError(String((error as Error)?.message ?? error), 'ERR_PROTOCOL', { cause: error });
    this.broken = true;
    // before the hello, a broken channel is a boot failure: the same module will break it again
    if (!this.greeted) this.bootError ??= serializeError(err);
    this.log.error({ err, code: err.code }, 'protocol error from worker; killing it');
    this.writer?.close();
    this.forceKill('protocol', `broke the protocol (${err.code}: ${err.message})`);
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Result:
      case FrameKind.Error:
        return this.onReply(frame);
      case FrameKind.Progress:
        return this.onProgress(frame);
      case FrameKind.Chunk:
        return this.onChunk(frame);
      case FrameKind.Credit:
        return this.onInputCredit(frame);
      case FrameKind.Heartbeat: {
        const beat = parseJson<HeartbeatMessage>(frame.payload, 'heartbeat');
        this.lastBeat = Date.now();
        this.rss = Number(beat.rss) || this.rss;
        this.loopDelay = Number(beat.loopDelay) || 0;
        this.owner.onHeartbeat(this);
        return;
      }
      case FrameKind.Hello: {
        if (this.greeted) throw new ProtocolError('A second hello frame arrived', 'ERR_PROTOCOL_UNEXPECTED');
        const hello = parseJson<HelloMessage>(frame.payload, 'hello');
        checkHello(hello);
        this.greeted = true;
        this.keepProcessGroup = hello.keepProcessGroup === true;
        this.lastBeat = Date.now();
        this.log.debug({ handlers: hello.handlers }, 'worker ready');
        // a worker told to drain or stop while starting stays so; it exits after reading its shutdown frame
        if (this.life.to('ready')) this.owner.onReady(this);
        return;
      }
      case FrameKind.BootError:
        this.bootError = parseJson<SerializedError>(frame.payload, 'boot error');
        return;
      case FrameKind.Log:
        return this.logRecord(parseJson<Record<string, unknown>>(frame.payload, 'log record'));
      default:
        throw new ProtocolError(`A worker may not send a ${kindName(frame.kind)} frame`, 'ERR_PROTOCOL_UNEXPECTED');
    }
  }

  /** Sends one chunk of a job's input. */
  sendInput(jobId: number, enc: number, data: Uint8Array | string): void {
    this.writer?.send(FrameKind.Chunk, enc, jobId, data);
  }

  /** Ends a job's input, normally or with the error its source raised. */
  endInput(jobId: number, error?: unknown): void {
    if (error === undefined) this.writer?.send(FrameKind.InputEnd, 0, jobId);
    else this.writer?.send(FrameKind.InputEnd, Enc.Json, jobId, JSON.stringify(serializeError(error)));
  }

  private onInputCredit(frame: Frame): void {
    const job = this.inFlight.get(frame.id);
    if (!job) return; // settled meanwhile
    const flow = job.flow;
    const count = readCredit(frame.payload);
    flow.inputCredits += count;
    flow.inputUnread.taken(count);
    if (flow.inputCredits > STREAM_WINDOW) throw new ProtocolError(`Input credit overflow: ${flow.inputCredits} chunks allowed, the window is ${STREAM_WINDOW}`, 'ERR_PROTOCOL_CREDIT');
    flow.onInputCredit?.();
  }

  /** Lets the worker send `count` more chunks of a job's stream. */
  credit(jobId: number, count: number): void {
    this.writer?.send(FrameKind.Credit, 0, jobId, creditPayload(count));
  }

  private onChunk(frame: Frame): void {
    const job = this.runningJob(frame, 'Chunk');
    if (!job) return;
    const flow = job.flow;
    if (flow.chunksReceived - flow.chunksCredited >= STREAM_WINDOW) {
      throw new ProtocolError(`Job ${frame.id} sent a chunk beyond its credit window of ${STREAM_WINDOW}`, 'ERR_PROTOCOL_CREDIT');
    }
    // stream() gives credit as its reader takes chunks; run() once onChunk is done with one, or at once without it
    job.chunk(decodeFrameValue(frame, 'chunk'), this);
  }

  /** The worker may send one more chunk of this job's stream (the caller took one), if the job still runs here. */
  creditBack(job: Job): void {
    if (job.worker !== this || job.settled) return;
    job.flow.chunksCredited++;
    this.credit(job.id, 1);
  }

  private onProgress(frame: Frame): void {
    this.runningJob(frame, 'Progress')?.progress(decodeFrameValue(frame, 'progress'));
  }

  /**
   * The job a chunk or progress frame is about. A job settled here (timed
   * out, cancelled) may still report, and is ignored (undefined); a job this
   * worker was never given is a protocol error.
   */
  private runningJob(frame: Frame, what: string): Job | undefined {
    const job = this.inFlight.get(frame.id);
    if (job) return job;
    if (this.abandoned.has(frame.id)) return undefined;
    throw new ProtocolError(`${what} for job ${frame.id}, which this worker is not running`, 'ERR_PROTOCOL_UNKNOWN_JOB');
  }

  private onReply(frame: Frame): void {
    const job = this.inFlight.get(frame.id);
    if (!job) {
      if (!this.abandoned.has(frame.id)) {
        throw new ProtocolError(`Reply for job ${frame.id}, which this worker was not running`, 'ERR_PROTOCOL_UNKNOWN_JOB');
      }
      clearTimeout(this.abandoned.get(frame.id));
      this.abandoned.delete(frame.id);
      this.owner.onSlotFreed();
      return;
    }
    // decode before touching state: a malformed reply is a protocol error, and the job is retried
    let value: unknown;
    let ok: boolean;
    if (frame.kind === FrameKind.Result) {
      value = decodeFrameValue(frame, 'result');
      ok = true;
    } else {
      value = deserializeError(parseJson<SerializedError>(frame.payload, 'error'));
      ok = false;
    }
    this.inFlight.delete(frame.id);
    job.servedBy = this.pid;
    if (ok) job.resolve(value);
    else job.reject(value as Error);
    job.worker = undefined;
    this.owner.onSlotFreed();
  }

  /**
   * Output within the worker's budget is logged line by line, or without a logger written to this process's
   * stdout/stderr as it is; beyond the budget, dropped and counted (see worker-output.ts).
   */
  private wireOutput(): void {
    const logged = this.options.workerOutput === 'log';
    const sink: WorkerOutputSink = {
      line: logged ? (line, stream) => this.logLine(line, stream) : (line, stream) => passthrough(stream).write(line),
      dropped: (drop) => {
        if (logged) this.log.warn({ stream: drop.stream, droppedLines: drop.lines, droppedBytes: drop.bytes }, describeDropped(drop, this.id));
        else passthrough('stderr').write(`supervise: ${describeDropped(drop, this.id)} (over its output budget)`);
        this.owner.onOutputDropped(this, drop);
      },
    };
    pipeWorkerOutput(this.spawned!.stdout, this.spawned!.stderr, sink, { tail: this.tail });
  }

  /** Logs one line of worker output, as text: whatever a module prints is its own data, JSON included. */
  private logLine(line: string, stream: 'stdout' | 'stderr'): void {
    if (line.length === 0) return;
    if (stream === 'stderr') this.log.warn({ stream }, line);
    else this.log.info({ stream }, line);
  }

  /**
   * Logs a ctx.log record from a Log frame with its own level, time, fields and error (type included); the pid
   * and worker id come from this handle's logger, once.
   */
  private logRecord(record: Record<string, unknown>): void {
    if (record === null || typeof record !== 'object') throw new ProtocolError('A log record is not a JSON object', 'ERR_PROTOCOL_MALFORMED');
    const { level, msg, pid: _pid, workerId: _workerId, hostname: _hostname, ...fields } = record;
    if (fields.err !== null && typeof fields.err === 'object') fields.err = errorOfType(fields.err as Record<string, unknown>);
    const method = this.log[levelMethod(Number(level))] ?? this.log[fallbackMethod(Number(level))];
    method.call(this.log, fields, msg === undefined ? undefined : String(msg));
    // ctx.log binds the job's id: the caller of that job may want its records too (a queue job's log)
    if (typeof fields.jobId === 'number') this.inFlight.get(fields.jobId)?.deliverLog(record, levelMethod(Number(level)), fields);
  }

  private wireExit(spawned: SpawnedWorker): void {
    const child = spawned.process;
    const ended = (stream: SpawnedWorker['stderr']) =>
      new Promise<void>((resolve) => {
        if (stream.readableEnded || stream.destroyed) resolve();
        stream.once('end', resolve);
        stream.once('close', resolve);
      });
    // both pipes read to the end: the last stderr lines explain a crash, and the last summary of dropped
    // output is logged before the worker counts as gone (and before a close() that waits for it resolves)
    const outputEnded = Promise.all([ended(spawned.stdout), ended(spawned.stderr)]);
    child.once('exit', (exitCode, signal) => {
      // a grandchild that inherited the pipes may hold them open: wait a moment, not for ever
      const settle = setTimeout(() => this.onExit(exitCode, signal), 200);
      void outputEnded.then(() => {
        clearTimeout(settle);
        this.onExit(exitCode, signal);
      });
    });
    child.once('error', (error) => {
      this.log.error({ err: error }, 'worker process error');
      // a spawn that failed (bad cwd, EMFILE, EAGAIN) never emits 'exit'; Node leaves pid undefined
      if (child.pid === undefined) {
        this.spawnError = asErrno(error);
        this.onExit(null, null);
      }
    });
  }

  private onExit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (!this.life.to('exited')) return;
    clearTimeout(this.killTimer);
    for (const timer of this.abandoned.values()) clearTimeout(timer);
    this.abandoned.clear();
    this.writer?.close();
    this.spawned?.channel.destroy();
    // whatever its handlers started (and left running) goes with it
    if (!this.keepProcessGroup && this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // the group is empty: nothing was left behind
      }
    }
    if (this.pid !== undefined) releaseGroup(this.pid);
    const stderrTail = this.tail.toString();
    const spawnError = this.spawnError ? `${this.spawnError.code ?? 'ERR'}: ${this.spawnError.message}` : undefined;
    let bootError: WorkerBootError | undefined;
    let bootReason = '';
    if (!this.greeted) {
      bootReason = spawnError
        ? `the process could not be spawned: ${spawnError}`
        : this.bootError
          ? `${this.bootError.name}: ${this.bootError.message}${whereInModule(this.bootError.stack)}`
          : this.orderReason
            ? `it was stopped before it said hello: ${this.orderReason}`
            : `the process ended before it said hello (${describeExit({ exitCode, signal })})`;
      bootError = new WorkerBootError(
        { module: this.options.workerPath, reason: bootReason, exitCode, signal, stderrTail },
        { cause: this.bootError ? deserializeError(this.bootError) : this.spawnError },
      );
    }
    const reason = spawnError
      ? `could not be spawned: ${spawnError}`
      : this.orderReason
        ? `was stopped (${describeExit({ exitCode, signal })}): ${this.orderReason}`
        : !this.greeted
          ? `module ${this.options.workerPath} failed to boot: ${bootReason}`
          : `exited with ${describeExit({ exitCode, signal })}`;
    this.owner.onExit(this, {
      greeted: this.greeted,
      bootReported: this.bootError !== undefined,
      order: this.order,
      killed: this.killed,
      spawnError: this.spawnError ? String(this.spawnError.code ?? 'ERR_SPAWN') : undefined,
      exitCode,
      signal,
      jobs: this.inFlight.size,
      reloadReplacement: this.replaces?.replaceOrder?.order === 'reload',
      reason,
      stderrTail,
      bootError,
    });
  }
}

function asErrno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? (error as NodeJS.ErrnoException) : Object.assign(new Error(String(error)), { code: 'ERR_SPAWN' });
}

/** A frame's value; one that does not decode is a coded protocol error (the worker is killed, its jobs retried). */
function decodeFrameValue(frame: Frame, what: string): unknown {
  try {
    return decodeValue(frame.enc, frame.payload);
  } catch (error) {
    throw new ProtocolError(`Malformed ${what} for job ${frame.id}: ${(error as Error).message}`, 'ERR_PROTOCOL_MALFORMED', { cause: error });
  }
}

// pino's method for a numeric level; fatal and trace may be missing from a pino-compatible logger
function levelMethod(level: number): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}

// the nearest of the five methods every SuperviseLogger has
function fallbackMethod(level: number): 'debug' | 'error' {
  return level >= 50 ? 'error' : 'debug';
}

const namedErrors = new Map<string, new () => Error>();

/**
 * A record's error arrives as data, `{ type, message, stack, ... }`; pino's err serializer names an error after
 * its constructor, which would make every one an `Object`. Same fields, on a stand-in class of the right name.
 */
function errorOfType(data: Record<string, unknown>): Error {
  const { type, ...fields } = data;
  const name = typeof type === 'string' && type.length > 0 ? type : 'Error';
  let Named = namedErrors.get(name);
  if (!Named) {
    Named = { [name]: class extends Error {} }[name]!;
    if (namedErrors.size < 64) namedErrors.set(name, Named);
  }
  return Object.assign(Object.create(Named.prototype) as Error, fields);
}

/**
 * The frames of a boot error's stack that are in the user's code (not Node's, not the worker runtime's), as
 * indented lines: they say where the module failed, now that its stderr no longer carries the whole stack.
 */
function whereInModule(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && !/\(?node:|[/\\]dist[/\\](worker|protocol)[/\\]/.test(line))
    .slice(0, 3);
  return frames.length > 0 ? `\n${frames.map((line) => `    ${line.trim()}`).join('\n')}` : '';
}
