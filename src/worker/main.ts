/*
 * Entry point of every worker process: `node dist/worker/main.js <config-json>`.
 * Opens the fd-3 channel the supervisor made, loads the user's module, and
 * hands over to the runtime. A module that fails to load is reported to the
 * supervisor as a BootError frame and the process exits with code 3.
 */
import { createRequire } from 'node:module';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { Logger } from 'pino';
import { ReadArea } from '../protocol/read-area.js';
import { encodeFrame, encodeJson, Enc, FrameKind, serializeError, WorkerExit } from '../protocol/index.js';
import type { ConnectionServer } from './connections.js';
import { loadHandlers } from './load-module.js';
import { WorkerRuntime } from './runtime.js';
import type { WorkerConfig } from './types.js';

const CHANNEL_FD = 3;

function readConfig(): WorkerConfig {
  const raw = process.argv[2];
  if (!raw) {
    process.stderr.write('supervise worker: this entry point is started by the supervisor, not by hand\n');
    process.exit(2);
  }
  return JSON.parse(raw) as WorkerConfig;
}

/** Exits after stdout/stderr had a chance to drain, so the last log lines reach the supervisor. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setImmediate(() => process.exit(code));
}

async function main(): Promise<void> {
  const config = readConfig();
  // Reads go through `onread` into a ReadArea, not through the socket's Readable side: no allocation and no stream
  // hop per read, which is a large part of a small job's cost in the worker. While the module loads, keep reading
  // (and keep what arrives), so that a supervisor dying meanwhile is noticed.
  const area = new ReadArea();
  const early: Buffer[] = [];
  let receive = (chunk: Buffer): void => {
    early.push(chunk);
  };
  const onread = {
    buffer: area.next,
    callback: (n: number) => {
      receive(area.take(n));
      return true;
    },
  };
  const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true, onread } as SocketConstructorOpts);
  const onEarlyClose = () => process.exit(0);
  channel.once('end', onEarlyClose);
  channel.once('error', onEarlyClose);

  // pino is loaded on the first ctx.log, not at start-up: most handlers never log, and it is a third of a worker's start-up.
  // Records travel as Log frames on the channel (stdout stays the module's own); one too large for a frame, or one
  // made before the runtime runs, goes to stdout, where the supervisor logs it as a line.
  let runtime: WorkerRuntime | undefined;
  let logger: Logger | undefined;
  const log = (): Logger => {
    if (!logger) {
      const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
      const toChannel = { write: (line: string) => void (runtime?.sendLog(line.trimEnd()) || process.stdout.write(line)) };
      logger = pino({ level: config.logLevel, base: { workerId: config.workerId } }, toChannel);
    }
    return logger;
  };

  let handlers;
  let settings;
  let connections: ConnectionServer | undefined;
  try {
    ({ handlers, settings } = await loadHandlers(config.module));
    // serve mode: only then does the supervisor give a worker a Node IPC channel; connections arrive on it
    // (loaded only then: a job worker does without it, and every module loaded costs each worker memory)
    if (typeof process.send === 'function') {
      const { ConnectionServer } = await import('./connections.js');
      connections = new ConnectionServer(handlers, log, config.workerId);
    }
  } catch (error) {
    // the error, stack included, goes to the supervisor as data; stderr only hears of it when that fails, so a
    // module that cannot load is reported once, not once per worker through each one's stderr
    const fallback = () => process.stderr.write(`supervise worker: cannot load ${config.module}: ${(error as Error)?.stack ?? String(error)}\n`);
    channel.write(encodeFrame(FrameKind.BootError, Enc.Json, 0, encodeJson(serializeError(error))), (failure) => {
      if (failure) fallback();
      exitSoon(WorkerExit.BootFailure);
    });
    setTimeout(() => process.exit(WorkerExit.BootFailure), 1000).unref();
    return;
  }

  channel.off('end', onEarlyClose);
  channel.off('error', onEarlyClose);
  runtime = new WorkerRuntime({
    channel,
    handlers,
    settings,
    log,
    maxFrameSize: config.maxFrameSize,
    heartbeatInterval: config.heartbeatInterval,
    exit: exitSoon,
    beforeExit: connections && (() => connections.drain()),
  });
  connections?.start();
  receive = runtime.receive.bind(runtime);
  runtime.start(early);
}

void main();
