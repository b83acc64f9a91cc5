/*
 * `supervise/worker`: what worker modules import. Types for handlers, the
 * coded error classes (throw one and it reaches the caller as that class), and
 * `defineHandler` for type inference. Importing this module has no side
 * effects: it does not start a worker.
 */
export type { Handler, JobContext } from './types.js';
export type { ConnectionHandler, ConnectionContext } from './connections.js';
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
} from '../errors.js';
import type { Handler } from './types.js';

/** Identity helper that types a handler's payload and result. */
export function defineHandler<In, Out>(handler: Handler<In, Out>): Handler<In, Out> {
  return handler;
}
