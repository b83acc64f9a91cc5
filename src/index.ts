// `supervise`: the supervisor API for apps that embed it.
export { createSupervisor, Supervisor, type SupervisorStats, type SupervisorState, type CloseOptions, type JobOutcome, type WorkerStats } from './supervisor/supervisor.js';
export type { SupervisorOptions, RunOptions, ProgressInfo, JobLogRecord, QueueFullBehavior } from './supervisor/options.js';
export type { MapOptions, MapResult } from './supervisor/map.js';
export type { TimingStats, Percentiles } from './supervisor/timings.js';
export type {
  HandlerName,
  RunHandlerName,
  StreamHandlerName,
  DefaultHandlerName,
  PayloadOf,
  ResultOf,
  ChunkOf,
  NoDefaultHandler,
  TypedRunOptions,
  TypedMapOptions,
  RunResult,
  IsUntyped,
  StreamChunk,
} from './supervisor/typed.js';
export type { SupervisorEvents, WorkerInfo, WorkerExitEvent, WorkerOutputDroppedEvent, JobDoneEvent, JobProgressEvent } from './supervisor/events.js';
export type { SuperviseLogger, LogLevel, LogMethod } from './supervisor/log.js';
export { defineRun, type RunDefinition, type RunOutcome, type JobSource } from './define-run.js';
export {
  SuperviseError,
  ProtocolError,
  PayloadError,
  OptionError,
  WorkerCrashError,
  WorkerBootError,
  WorkerNotFoundError,
  CrashLoopError,
  ReloadError,
  JobTimeoutError,
  AbortError,
  QueueFullError,
  SupervisorClosedError,
  UnknownHandlerError,
  UnsafeCacheDirError,
  type SuperviseErrorCode,
  type ProtocolErrorCode,
  type SuperviseErrorOptions,
  type ExitInfo,
} from './errors.js';
export { PROTOCOL_VERSION } from './protocol/frame.js';
export {
  serve,
  // a type only: servers are made by serve()
  type SocketServer,
  type ServeOptions,
  type ServeCloseOptions,
  type ServeAddress,
  type ServeStats,
  type ServeWorkerStats,
  type ServeEvents,
} from './serve/server.js';
export { SocketPathError } from './serve/socket-path.js';
