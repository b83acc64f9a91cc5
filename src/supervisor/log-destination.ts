/*
 * Where the supervisor's own logs go when the user gives no logger (and the
 * CLI's logs): a file descriptor, written asynchronously through SonicBoom
 * with a bounded buffer.
 *
 * A reader that falls behind, or never reads (a pipe nobody drains), costs at
 * most `maxLength` bytes of memory and never blocks the event loop: records
 * past the bound are dropped (SonicBoom's 'drop') and counted, and when the
 * reader takes data again one record says how many were lost. A synchronous
 * write to a full pipe would freeze the whole supervisor, heartbeat checks
 * included; an unbounded buffer grows with whatever is logged.
 */
import type { DestinationStream, pino } from 'pino';
import { loadPino } from './load-pino.js';
import { formatBytes } from './worker-output.js';

/** Bytes of log records waiting for the reader before new ones are dropped. */
export const LOG_BUFFER_LIMIT = 4 * 1024 * 1024;

/** ms between two records about dropped log records. */
const NOTICE_INTERVAL = 1000;

export interface BoundedDestinationOptions {
  /** @default 2 (stderr) */
  fd?: number;
  /** @default LOG_BUFFER_LIMIT */
  maxLength?: number;
  /** Turns one pino JSON line into the text written (a pretty printer); identity by default. */
  format?: (line: string) => string;
  /** Fields of the record that reports dropped records, as the logger's `base`. */
  base?: Record<string, unknown>;
}

export type BoundedDestination = DestinationStream & {
  /** Records dropped and not yet reported. */
  readonly pending: { records: number; bytes: number };
  flush(cb?: (error?: Error) => void): void;
  /** Writes text as it is (no `format`), in order with the records, within the same bound. */
  writeRaw(text: string): void;
};

/**
 * pino.destination (SonicBoom, flushed synchronously when the process exits) on `fd`: asynchronous, bounded,
 * and quiet for good after a write error (ENOSPC from `2>/dev/full`, EIO from a terminal that hung up). Left
 * alone, SonicBoom throws that error from a callback, and its exit flush then retries it for ever: the
 * process would never end. What cannot be written is dropped instead, as it would be anyway.
 */
export function openFd(fd: number, maxLength: number): ReturnType<typeof pino.destination> {
  const sonic = loadPino().destination({ dest: fd, sync: false, maxLength, minLength: 0 });
  sonic.on('error', () => {
    const nothing = () => {};
    Object.assign(sonic, { write: () => true, flush: (cb?: () => void) => cb?.(), flushSync: nothing, end: nothing });
  });
  return sonic;
}

/** A pino destination that never blocks and never holds more than `maxLength` bytes. */
export function boundedDestination(options: BoundedDestinationOptions = {}): BoundedDestination {
  const { fd = 2, maxLength = LOG_BUFFER_LIMIT, format, base } = options;
  const sonic = openFd(fd, maxLength);
  const target = fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : `fd ${fd}`;
  const pending = { records: 0, bytes: 0 };
  let noticing = false;
  let noticeDropped = false;
  let scheduled = false;
  let lastNotice = 0;

  sonic.on('drop', (data: string | Buffer) => {
    if (noticing) {
      noticeDropped = true;
      return;
    }
    pending.records++;
    pending.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  });

  const notice = () => {
    scheduled = false;
    if (pending.records === 0) return;
    const now = Date.now();
    if (now - lastNotice < NOTICE_INTERVAL) return;
    lastNotice = now;
    const record = JSON.stringify({
      level: 40,
      time: now,
      ...base,
      droppedRecords: pending.records,
      droppedBytes: pending.bytes,
      msg: `dropped ${pending.records.toLocaleString('en-US')} log record${pending.records === 1 ? '' : 's'} (${formatBytes(pending.bytes)}): whatever reads ${target} fell behind`,
    });
    noticing = true;
    noticeDropped = false;
    try {
      sonic.write(format ? format(record) : `${record}\n`);
    } finally {
      noticing = false;
    }
    if (!noticeDropped) {
      pending.records = 0;
      pending.bytes = 0;
    }
  };
  // a write went through: the reader is reading again. SonicBoom emits 'write' before it frees the written
  // bytes, so the notice waits for a microtask, when there is room for it.
  sonic.on('write', () => {
    if (pending.records === 0 || scheduled) return;
    scheduled = true;
    queueMicrotask(notice);
  });

  return {
    pending,
    write: format ? (line: string) => sonic.write(format(line)) : (line: string) => sonic.write(line),
    flush: (cb) => sonic.flush(cb),
    writeRaw: (text) => void sonic.write(text),
  };
}
