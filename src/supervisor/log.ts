/*
 * What the supervisor logs through. Any pino-compatible logger fits (pino
 * itself, a pino child, or an adapter with the same five methods); without
 * `logger` or `logLevel` the supervisor logs nothing at all (an embedding app
 * gets events, not records on its stderr), and pino is not even loaded.
 */
import { boundedDestination } from './log-destination.js';
import { loadPino } from './load-pino.js';

/** pino's level names; `silent` turns logging off. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A log method as pino has it: `(fields, message)` or `(message)`. */
export type LogMethod = (fieldsOrMessage: unknown, message?: string) => void;

/** The part of a pino logger the supervisor uses. */
export interface SuperviseLogger {
  child(bindings: Record<string, unknown>): SuperviseLogger;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** Used for workers' fatal and trace records when present (pino has them); error and debug otherwise. */
  fatal?: LogMethod;
  trace?: LogMethod;
  /** The logger's level, when it has one; workers' `ctx.log` is set to it (`info` when absent). */
  level?: string;
}

const ignore: LogMethod = () => {};

// the logger of a supervisor given neither `logger` nor `logLevel`: every record is dropped without being built
const SILENT: SuperviseLogger = { child: () => SILENT, debug: ignore, info: ignore, warn: ignore, error: ignore, level: 'silent' };

/** The supervisor's logger: the one given, the built-in pino at `logLevel` (on stderr, never blocking), or none. */
export function supervisorLogger(logger: SuperviseLogger | undefined, logLevel: LogLevel | undefined): SuperviseLogger {
  if (logger) return logger;
  // 'silent' logs nothing either: no need to load pino for that
  if (logLevel === undefined || logLevel === 'silent') return SILENT;
  return loadPino().pino({ level: logLevel, base: { name: 'supervise' } }, boundedDestination({ base: { name: 'supervise' } }));
}

/** An app's event listener threw: logged when there is a logger, a process warning (on stderr by default) when not. */
export function reportListenerError(options: { logger?: unknown; logLevel?: unknown }, log: SuperviseLogger, event: string, error: unknown): void {
  if (options.logger !== undefined || options.logLevel !== undefined) {
    log.error({ err: error, event }, `a '${event}' event listener threw`);
    return;
  }
  const why = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.emitWarning(`a supervise '${event}' event listener threw (the pool carries on): ${why}`, { code: 'SUPERVISE_LISTENER_ERROR' });
}

/**
 * Whether records of `logger` already carry a `pid` of their own: pino's default `base` writes the process's
 * pid into every record, and a `pid` binding would then be a second "pid" key in the same JSON line (which
 * JSON parsers resolve silently, and some log stores reject). pino keeps its serialized bindings under a
 * symbol described as 'pino.chindings'; any other logger is taken not to.
 */
export function writesOwnPid(logger: SuperviseLogger): boolean {
  for (let o: object | null = logger; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const symbol = Object.getOwnPropertySymbols(o).find((s) => s.description === 'pino.chindings');
    if (symbol) return /(^|,)"pid":/.test(String((logger as unknown as Record<symbol, unknown>)[symbol]));
  }
  return false;
}
