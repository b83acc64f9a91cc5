// The CLI's logger: human-readable lines on a TTY, pino JSON otherwise; always on stderr.
// Both write asynchronously into a bounded buffer (see boundedDestination): a stalled terminal (Ctrl-S, a
// dropped ssh connection) or a stalled pipe reader never blocks the supervisor, whose heartbeat checks
// would then kill healthy workers; records past the bound are dropped and counted.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { boundedDestination } from '../supervisor/log-destination.js';
import type { LogLevel } from '../supervisor/log.js';

/** Erases the terminal's current line and returns to its start. */
export const CLEAR_LINE = '\r\x1b[2K';

export interface CliOutput {
  log: Logger;
  /**
   * stderr for the CLI's own text, written in order with the log records. On a TTY, text that starts with
   * CLEAR_LINE and has no newline (a progress line) is the status line: each log record, and each whole line
   * written here, clears it, prints, and redraws it.
   */
  stderr: { isTTY: boolean; write(text: string): void };
}

export function createCliLogger(level: LogLevel): Logger {
  return createCliOutput(level).log;
}

export function createCliOutput(level: LogLevel): CliOutput {
  const isTTY = process.stderr.isTTY === true;
  const pretty = isTTY ? loadPrettyFormat() : undefined;
  if (!pretty) {
    const destination = boundedDestination({ fd: 2, base: { name: 'supervise' } });
    const log = pino({ level, base: { name: 'supervise' } }, destination);
    return { log, stderr: { isTTY, write: (text) => destination.writeRaw(text) } };
  }
  // the unfinished last line on the terminal, after its last clear: redrawn below every record
  let status = '';
  // prettified record by record on the way into the buffer, so the buffer's bound holds (a pino-pretty
  // stream would queue records in its own stream buffers while the terminal does not read)
  const destination = boundedDestination({ fd: 2, format: (line) => (status ? `${CLEAR_LINE}${pretty(line)}${status}` : pretty(line)) });
  const write = (text: string) => {
    // a line of the CLI's own while the status line shows: the same treatment as a log record
    if (status && !text.startsWith(CLEAR_LINE) && text.endsWith('\n')) {
      destination.writeRaw(`${CLEAR_LINE}${text}${status}`);
      return;
    }
    destination.writeRaw(text);
    const newline = text.lastIndexOf('\n');
    status = newline === -1 ? status + text : text.slice(newline + 1);
    const clear = status.lastIndexOf(CLEAR_LINE);
    if (clear !== -1) status = status.slice(clear + CLEAR_LINE.length);
  };
  return { log: pino({ level, base: undefined }, destination), stderr: { isTTY, write } };
}

// pino-pretty is an optional dependency, for people at a terminal: without it, a TTY gets the JSON lines
function loadPrettyFormat(): ((line: string) => string) | undefined {
  try {
    const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return prettyFactory({ colorize: true, ignore: 'hostname' });
  } catch {
    return undefined;
  }
}
