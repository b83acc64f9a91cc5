// The CLI's logger: human-readable lines on a TTY, pino JSON otherwise; always on stderr.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export function createCliLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino({ level, base: undefined }, pretty({ destination: 2, sync: true, colorize: true, ignore: 'hostname' }));
  }
  return pino({ level, base: { name: 'supervise' } }, pino.destination({ fd: 2, sync: true }));
}
