/*
 * The named socket's file: checked before binding, created with exact
 * permissions, removed on shutdown. The rules:
 *
 *   nothing there                 → bind
 *   a socket a server answers on  → refuse (another server is live)
 *   a socket nobody answers on    → stale (ECONNREFUSED): remove it, bind
 *   anything else (file, dir, symlink, FIFO) → refuse; it is never removed
 *   too long for sun_path, or its directory missing → refuse with a clear message
 *
 * Permissions: bind() creates the socket inode with 0777 & ~umask, so the
 * umask is narrowed to the wanted mode for the (synchronous) bind: the path
 * never exists with wider permissions than asked, not even for a moment.
 */
import { chmod, lstat, stat, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { SuperviseError } from '../errors.js';

/** A socket path that cannot be used; the message says why and what to do. CLI exit code 2. */
export class SocketPathError extends SuperviseError {
  path: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('ERR_SOCKET_PATH', message, options);
    this.name = 'SocketPathError';
    this.path = file;
  }
}

/** Usable bytes of sockaddr_un.sun_path: 108 on Linux (104 on macOS), less the terminating NUL. */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

export const DEFAULT_MODE = 0o600;

/** Resolves and checks the path's shape: not empty, no NUL byte, fits in sun_path. */
export function resolveSocketPath(file: string): string {
  if (typeof file !== 'string' || file.length === 0) throw new SocketPathError(String(file), 'The socket path is empty; pass --socket <path>');
  if (file.includes('\0')) throw new SocketPathError(file, 'The socket path contains a NUL byte; abstract sockets are not supported, use a path');
  const absolute = path.resolve(file);
  const bytes = Buffer.byteLength(absolute);
  if (bytes > MAX_SOCKET_PATH) {
    throw new SocketPathError(
      file,
      `The socket path ${absolute} is ${bytes} bytes, too long for a Unix socket address (at most ${MAX_SOCKET_PATH}); use a shorter path, e.g. under /run or /tmp`,
    );
  }
  return absolute;
}

/** Parses a permission mode: 0660, 660 and 0o660 are octal. */
export function parseMode(text: string): number | undefined {
  const match = /^(?:0o?)?([0-7]{3,4})$/i.exec(text.trim());
  return match ? Number.parseInt(match[1], 8) : undefined;
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

type Probe = 'live' | 'stale' | 'gone' | { error: NodeJS.ErrnoException };

/** Connects to the socket to tell a live server from a stale file. */
export function probeSocket(file: string, timeout = 1000): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    const done = (result: Probe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // a server that does not accept within the timeout (full backlog, stopped process) is still not ours to remove
    const timer = setTimeout(() => done('live'), timeout);
    socket.once('connect', () => done('live'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done('stale');
      else if (error.code === 'ENOENT') done('gone');
      else done({ error });
    });
  });
}

/**
 * Makes the path free to bind: checks its directory, refuses a live server
 * or a non-socket, removes a stale socket. Returns the absolute path.
 */
export async function prepareSocketPath(file: string): Promise<string> {
  const absolute = resolveSocketPath(file);
  const dir = path.dirname(absolute);
  let dirInfo;
  try {
    dirInfo = await stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SocketPathError(file, `Cannot create the socket ${absolute}: the directory ${dir} does not exist`, { cause: error });
    throw new SocketPathError(file, `Cannot create the socket ${absolute}: cannot access ${dir} (${code})`, { cause: error });
  }
  if (!dirInfo.isDirectory()) throw new SocketPathError(file, `Cannot create the socket ${absolute}: ${dir} is not a directory`);

  let info;
  try {
    info = await lstat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return absolute;
    throw new SocketPathError(file, `Cannot use the socket path ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isSocket()) {
    throw new SocketPathError(file, `${absolute} exists and is not a socket (${describeType(info)}); refusing to remove it`);
  }
  const probe = await probeSocket(absolute);
  if (probe === 'live') throw new SocketPathError(file, `Another server is listening on ${absolute}; stop it first or choose another --socket path`);
  if (probe === 'gone') return absolute;
  if (probe !== 'stale') {
    throw new SocketPathError(file, `Cannot tell whether ${absolute} is in use (connect failed with ${probe.error.code}); remove it by hand if it is stale`, {
      cause: probe.error,
    });
  }
  // nobody accepts on it: a previous server died without removing it
  try {
    const again = await lstat(absolute);
    if (again.isSocket() && again.ino === info.ino && again.dev === info.dev) await unlink(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SocketPathError(file, `Cannot remove the stale socket ${absolute}: ${(error as Error).message}`, { cause: error });
    }
  }
  return absolute;
}

function describeType(info: import('node:fs').Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isFile()) return 'a regular file';
  return 'not a socket';
}

export interface SocketIdentity {
  dev: number;
  ino: number;
}

/** Binds `server` on `file` with exactly `mode`; resolves once it listens. */
export async function listenOnPath(server: net.Server, file: string, mode: number, backlog: number): Promise<SocketIdentity> {
  let previous: number | undefined;
  try {
    previous = process.umask(0o777 & ~mode);
  } catch {
    // worker threads cannot change the umask; the chmod below still sets the mode
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ path: file, backlog });
      // bind() ran synchronously inside listen(): the umask can go back now
      if (previous !== undefined) process.umask(previous);
      previous = undefined;
    });
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
  await chmod(file, mode);
  const info = await lstat(file);
  return { dev: info.dev, ino: info.ino };
}

/** Removes the socket file if it is still the one this server created. */
export async function removeSocketFile(file: string, identity: SocketIdentity | undefined): Promise<void> {
  if (!identity) return;
  try {
    const info = await lstat(file);
    if (info.isSocket() && info.ino === identity.ino && info.dev === identity.dev) await unlink(file);
  } catch {
    // already gone
  }
}
