/*
 * One worker process as the supervisor sees it, as a small state machine:
 *
 *   starting ──hello──► ready ──recycle/reload/close──► draining ──► exited
 *       │                 │                                ▲
 *       └──boot error─────┴──crash / kill / protocol error─┘
 *
 * It owns the channel: frames out through a FrameWriter, frames in through a
 * FrameDecoder. Anything on the channel that breaks the protocol (garbage, an
 * oversized length, an unknown kind, a result for a job it was not given)
 * gets the worker killed with a coded ProtocolError; its jobs are then the
 * supervisor's to retry. Stdout and stderr are logged line by line, and the
 * last stderr lines are kept for crash reports.
 */
import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { describeExit, ProtocolError, WorkerBootError, type ExitInfo } from '../errors.js';
import {
  checkHello,
  decodeValue,
  deserializeError,
  FrameDecoder,
  FrameKind,
  FrameWriter,
  kindName,
  parseJson,
  serializeError,
  type Frame,
  type HeartbeatMessage,
  type HelloMessage,
  type SerializedError,
} from '../protocol/index.js';
import type { Job } from './job.js';
import { TailBuffer } from './line-splitter.js';
import type { ResolvedOptions } from './options.js';
import { spawnWorker, type SpawnedWorker } from './spawn.js';
import { describeDropped, pipeWorkerOutput, type WorkerOutputSink } from './worker-output.js';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'exited';

export interface WorkerExitInfo extends ExitInfo {
  /** Why it ended, for messages: `exited with exit code 1`, `was killed: heartbeat timeout`, ... */
  reason: string;
  /** Set when the module failed to load. */
  bootError: WorkerBootError | undefined;
  /** True when the supervisor asked it to stop (recycle, reload, resize, close). */
  expected: boolean;
}

/** What a worker handle reports to its supervisor. */
export interface WorkerOwner {
  readonly log: Logger;
  onReady(worker: WorkerHandle): void;
  /** A job finished on this worker, or an abandoned job's late reply arrived: a slot is free. */
  onSlotFreed(): void;
  onHeartbeat(worker: WorkerHandle): void;
  onExit(worker: WorkerHandle, info: WorkerExitInfo): void;
}

export class WorkerHandle {
  state: WorkerState = 'starting';
  readonly inFlight = new Map<number, Job>();
  /** Jobs settled here (timed out, cancelled) whose reply has not come yet; they still occupy a slot. */
  readonly abandoned = new Map<number, NodeJS.Timeout | undefined>();
  pid: number | undefined;
  jobsStarted = 0;
  rss = 0;
  loopDelay = 0;
  lastBeat = Date.now();
  readonly startedAt = Date.now();
  /** Set when the supervisor itself decided to stop this worker. */
  stopReason: string | undefined;
  private killReason: string | undefined;
  private bootError: SerializedError | undefined;
  private readonly tail = new TailBuffer();
  private readonly spawned: SpawnedWorker;
  private readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  private readonly log: Logger;
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
    this.spawned = spawnWorker(
      {
        module: module.url,
        workerId: id,
        heartbeatInterval: options.heartbeatInterval,
        maxFrameSize: options.maxFrameSize,
        logLevel: owner.log.level,
      },
      { ...options, execArgv: [...module.execArgv, ...options.execArgv], ipc },
    );
    this.pid = this.spawned.process.pid;
    this.log = owner.log.child({ workerId: id, pid: this.pid });
    this.writer = new FrameWriter(this.spawned.channel);
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.wireChannel();
    this.wireOutput();
    this.wireExit();
  }

  /** Jobs occupying this worker's slots. */
  get load(): number {
    return this.inFlight.size + this.abandoned.size;
  }

  /** The child process (serve mode passes connections over its IPC channel). */
  get child(): ChildProcess {
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
    this.writer.send(FrameKind.Job, job.enc, job.id, job.data, job.prefix);
  }

  /**
   * Gives up on a job that was settled elsewhere (timeout, cancel): the worker
   * is told to abort it, and gets `killGrace` ms to reply before it is killed.
   */
  abandon(job: Job, killGrace: number): void {
    if (!this.inFlight.delete(job.id)) return;
    this.writer.send(FrameKind.Cancel, 0, job.id);
    const timer =
      this.state === 'exited'
        ? undefined
        : setTimeout(() => this.kill(`job ${job.id} did not stop within killGrace (${killGrace} ms) after it was cancelled`), killGrace);
    timer?.unref();
    this.abandoned.set(job.id, timer);
  }

  /** Stops taking jobs and asks the worker to exit once its in-flight jobs are done. */
  drain(reason: string): void {
    if (this.state === 'exited' || this.state === 'draining') return;
    this.stopReason ??= reason;
    this.state = 'draining';
    this.writer.send(FrameKind.Shutdown, 0, 0);
    this.writer.flush();
  }

  /** Kills the worker: SIGTERM, then SIGKILL after `grace` ms. Its jobs are the supervisor's to retry. */
  kill(reason: string, grace = this.options.killGrace): void {
    if (this.state === 'exited') return;
    this.killReason ??= reason;
    if (!this.stopReason) this.log.warn({ reason }, 'killing worker');
    this.signal('SIGTERM');
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => this.signal('SIGKILL'), grace);
      this.killTimer.unref();
    }
  }

  /** Ends the worker now with SIGKILL. */
  forceKill(reason: string): void {
    if (this.state === 'exited') return;
    this.killReason ??= reason;
    this.signal('SIGKILL');
  }

  private signal(name: NodeJS.Signals): void {
    try {
      this.spawned.process.kill(name);
    } catch {
      // already gone
    }
  }

  private wireChannel(): void {
    const { channel } = this.spawned;
    channel.on('data', (chunk: Buffer) => {
      if (this.state === 'exited' || this.broken) return;
      try {
        this.decoder.push(chunk, this.onFrameBound);
      } catch (error) {
        this.protocolError(error);
      }
    });
    channel.on('end', () => {
      if (this.state === 'exited' || this.broken) return;
      try {
        this.decoder.end();
      } catch (error) {
        this.protocolError(error);
      }
    });
    channel.on('error', (error) => this.log.debug({ err: error }, 'channel error'));
    channel.on('close', () => {
      this.writer.close();
      if (this.state === 'exited') return;
      if (this.stopReason !== undefined) {
        // closing the channel is how a draining worker says goodbye; it exits next
        setTimeout(() => this.kill('did not exit after closing its channel'), 5000).unref();
        return;
      }
      // a worker that closed its channel on its own can no longer serve: no more jobs for it, and if it does not exit by itself, end it
      if (this.state === 'ready') this.state = 'draining';
      setTimeout(() => this.kill('closed its channel'), 200).unref();
    });
  }

  private protocolError(error: unknown): void {
    const err = error instanceof ProtocolError ? error : new ProtocolError(String((error as Error)?.message ?? error), 'ERR_PROTOCOL', { cause: error });
    this.broken = true;
    // before the hello, a broken channel is a boot failure: the same module will break it again
    if (!this.greeted) this.bootError ??= serializeError(err);
    this.log.error({ err, code: err.code }, 'protocol error from worker; killing it');
    this.writer.close();
    this.killReason ??= `broke the protocol (${err.code}: ${err.message})`;
    this.forceKill(this.killReason);
    if (this.state === 'ready') this.state = 'draining';
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Result:
      case FrameKind.Error:
        return this.onReply(frame);
      case FrameKind.Heartbeat: {
        const beat = parseJson<HeartbeatMessage>(frame.payload, 'heartbeat');
        this.lastBeat = Date.now();
        this.rss = Number(beat.rss) || 0;
        this.loopDelay = Number(beat.loopDelay) || 0;
        this.owner.onHeartbeat(this);
        return;
      }
      case FrameKind.Hello: {
        if (this.greeted) throw new ProtocolError('A second hello frame arrived', 'ERR_PROTOCOL_UNEXPECTED');
        const hello = parseJson<HelloMessage>(frame.payload, 'hello');
        checkHello(hello);
        this.greeted = true;
        this.lastBeat = Date.now();
        if (this.state === 'starting') this.state = 'ready';
        this.log.debug({ handlers: hello.handlers }, 'worker ready');
        this.owner.onReady(this);
        return;
      }
      case FrameKind.BootError:
        this.bootError = parseJson<SerializedError>(frame.payload, 'boot error');
        return;
      default:
        throw new ProtocolError(`A worker may not send a ${kindName(frame.kind)} frame`, 'ERR_PROTOCOL_UNEXPECTED');
    }
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
      try {
        value = decodeValue(frame.enc, frame.payload);
      } catch (error) {
        throw new ProtocolError(`Malformed result for job ${frame.id}: ${(error as Error).message}`, 'ERR_PROTOCOL_MALFORMED', { cause: error });
      }
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

  /** Output within the worker's budget is logged line by line; beyond it, dropped and counted (see worker-output.ts). */
  private wireOutput(): void {
    const sink: WorkerOutputSink = {
      line: (line, stream) => this.logLine(line, stream),
      dropped: (drop) => this.log.warn({ stream: drop.stream, droppedLines: drop.lines, droppedBytes: drop.bytes }, describeDropped(drop, this.id)),
    };
    pipeWorkerOutput(this.spawned.stdout, this.spawned.stderr, sink, { tail: this.tail });
  }

  /** Logs one line of worker output; pino JSON lines from ctx.log keep their level and fields. */
  private logLine(line: string, stream: 'stdout' | 'stderr'): void {
    if (line.length === 0) return;
    if (line.charCodeAt(0) === 123 /* { */) {
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (typeof record.level === 'number' && 'msg' in record) {
          const { level, msg, time: _time, pid: _pid, workerId: _workerId, hostname: _hostname, ...fields } = record;
          const method = levelMethod(level as number);
          this.log[method]({ ...fields, stream }, String(msg));
          return;
        }
      } catch {
        // not JSON: log as text
      }
    }
    if (stream === 'stderr') this.log.warn({ stream }, line);
    else this.log.info({ stream }, line);
  }

  private wireExit(): void {
    const child = this.spawned.process;
    const stderrEnded = new Promise<void>((resolve) => {
      if (this.spawned.stderr.readableEnded) resolve();
      this.spawned.stderr.once('end', resolve);
      this.spawned.stderr.once('close', resolve);
    });
    child.once('exit', (exitCode, signal) => {
      // give the last stderr lines a moment to arrive: they explain the crash
      const settle = setTimeout(() => this.onExit(exitCode, signal), 200);
      void stderrEnded.then(() => {
        clearTimeout(settle);
        this.onExit(exitCode, signal);
      });
    });
    child.once('error', (error) => {
      this.log.error({ err: error }, 'worker process error');
      // a spawn that failed (bad cwd, EMFILE, EAGAIN) never emits 'exit'; Node leaves pid undefined
      if (child.pid === undefined) this.onExit(null, null, error.message);
    });
  }

  private onExit(exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.state === 'exited') return;
    const beforeReady = !this.greeted;
    this.state = 'exited';
    clearTimeout(this.killTimer);
    for (const timer of this.abandoned.values()) clearTimeout(timer);
    this.abandoned.clear();
    this.writer.close();
    this.spawned.channel.destroy();
    const stderrTail = this.tail.toString();
    let bootError: WorkerBootError | undefined;
    let bootReason = '';
    if (beforeReady && !this.stopReason) {
      bootReason = spawnError
        ? `the process could not be spawned: ${spawnError}`
        : this.bootError
          ? `${this.bootError.name}: ${this.bootError.message}`
          : this.killReason
            ? `it was killed before it said hello: ${this.killReason}`
            : `the process ended before it said hello (${describeExit({ exitCode, signal })})`;
      bootError = new WorkerBootError(
        { module: this.options.workerPath, reason: bootReason, exitCode, signal, stderrTail },
        { cause: this.bootError ? deserializeError(this.bootError) : undefined },
      );
    }
    const reason = bootError
      ? `module ${this.options.workerPath} failed to boot: ${bootReason}`
      : this.killReason
        ? `was killed (${describeExit({ exitCode, signal })}): ${this.killReason}`
        : spawnError
          ? `could not be spawned: ${spawnError}`
          : `exited with ${describeExit({ exitCode, signal })}`;
    this.owner.onExit(this, {
      exitCode,
      signal,
      stderrTail,
      reason,
      bootError,
      expected: this.stopReason !== undefined && this.killReason === undefined,
    });
  }
}

function levelMethod(level: number): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}
