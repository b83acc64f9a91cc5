/*
 * Where worker stdout/stderr lines go when the supervisor has no logger: to
 * this process's own stdout and stderr, as plain lines, as a child process's
 * output would.
 *
 * Not through process.stdout: on Linux a write to a pipe there is synchronous,
 * so a reader that stalls would freeze the supervisor (and its heartbeat
 * checks). Each fd gets one SonicBoom for the whole process, asynchronous and
 * bounded like the log destination: lines past the bound are dropped, counted,
 * and reported in one plain line on stderr once the reader reads again.
 */
import { LOG_BUFFER_LIMIT, openFd } from './log-destination.js';
import { formatBytes, type OutputStream } from './worker-output.js';

interface Passthrough {
  write(line: string): void;
}

const targets = new Map<OutputStream, Passthrough>();

/** The process-wide writer of worker lines to stdout or stderr. */
export function passthrough(stream: OutputStream): Passthrough {
  let target = targets.get(stream);
  if (!target) {
    target = openPassthrough(stream === 'stdout' ? 1 : 2, stream);
    targets.set(stream, target);
  }
  return target;
}

// one bounded, non-blocking writer; its drop notices go to stderr, never into the data on stdout
function openPassthrough(fd: number, name: OutputStream): Passthrough {
  const sonic = openFd(fd, LOG_BUFFER_LIMIT);
  let lines = 0;
  let bytes = 0;
  sonic.on('drop', (data: string | Buffer) => {
    lines++;
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  });
  sonic.on('write', () => {
    if (lines === 0) return;
    const notice = `supervise: dropped ${lines.toLocaleString('en-US')} line${lines === 1 ? '' : 's'} (${formatBytes(bytes)}) of worker ${name}: whatever reads this process's ${name} fell behind\n`;
    lines = 0;
    bytes = 0;
    queueMicrotask(() => (name === 'stderr' ? sonic.write(notice) : passthrough('stderr').write(notice.slice(0, -1))));
  });
  return { write: (line) => void sonic.write(`${line}\n`) };
}
