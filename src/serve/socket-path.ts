/*
 * The named socket's file: checked before binding, created with exact
 * permissions, removed on shutdown only while it is still ours. The rules:
 *
 *   nothing there                 → bind
 *   a socket a server answers on  → refuse (another server is live)
 *   a socket nobody answers on    → stale (ECONNREFUSED): replaced atomically (rename) once we listen
 *   anything else (file, dir, symlink, FIFO) → refuse; it is never removed
 *   too long for sun_path, or its directory missing → refuse with a clear message
 *   a directory every user may write to, without the sticky bit → refuse (anyone could move our socket)
 *
 * Ours: we bind on a temporary name beside the path and link or rename it
 * into place, so libuv's own unlink-on-close hits only that temporary name;
 * at shutdown the path is unlinked only if it still has our socket's device
 * and inode (checked while our listener still pins that inode).
 *
 * Permissions: bind() creates the socket inode with 0777 & ~umask, so the
 * umask is narrowed to the wanted mode for the (synchronous) bind: the path
 * never exists with wider permissions than asked, not even for a moment.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { chmod, link, lstat, rename, stat, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { SuperviseError } from '../errors.js';

/** A socket path that cannot be used; the message says why and what to do. CLI exit code 2. */
export class SocketPathError extends SuperviseError {
  declare code: 'ERR_SOCKET_PATH';
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

/** What `prepareSocketPath` found worth saying about the path, without refusing it. */
export interface PathCheck {
  path: string;
  warnings: string[];
}

/**
 * Checks, before any worker starts, that the path can be ours: its directory
 * exists and no other user can move our socket away; nothing but a stale
 * socket is there. Removes nothing: a stale socket is replaced atomically
 * when the server binds (see `listenOnPath`).
 */
export async function prepareSocketPath(file: string): Promise<PathCheck> {
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
  const warnings = checkDirectory(file, absolute, dir, dirInfo);
  await judgeTarget(file, absolute);
  return { path: absolute, warnings };
}

/**
 * Without the sticky bit, anyone who may write to the directory may also
 * rename or remove entries they do not own: our socket could be moved away
 * and replaced. Writable by every user: refused. Writable by the group: a warning.
 */
function checkDirectory(file: string, absolute: string, dir: string, info: import('node:fs').Stats): string[] {
  const sticky = (info.mode & 0o1000) !== 0;
  if (sticky) return [];
  if ((info.mode & 0o002) !== 0) {
    throw new SocketPathError(
      file,
      `Refusing to create the socket ${absolute}: its directory ${dir} (mode ${formatMode(info.mode)}) is writable by every user and has no sticky bit, so anyone could move the socket away or put their own in its place; use a directory only you can write to, or set the sticky bit (chmod +t, as on /tmp)`,
    );
  }
  if ((info.mode & 0o020) !== 0) {
    return [`the socket's directory ${dir} (mode ${formatMode(info.mode)}) is writable by its group and has no sticky bit: members of that group could move the socket away or replace it`];
  }
  return [];
}

/** What is at the path now: nothing, a stale socket (free to replace), or something we must leave alone (refused). */
async function judgeTarget(file: string, absolute: string): Promise<'free' | { stale: SocketIdentity }> {
  let info;
  try {
    info = await lstat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'free';
    throw new SocketPathError(file, `Cannot use the socket path ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  if (!info.isSocket()) {
    throw new SocketPathError(file, `${absolute} exists and is not a socket (${describeType(info)}); refusing to remove it`);
  }
  const probe = await probeSocket(absolute);
  if (probe === 'live') throw new SocketPathError(file, `Another server is listening on ${absolute}; stop it first or choose another --socket path`);
  if (probe === 'gone') return 'free';
  if (probe !== 'stale') {
    throw new SocketPathError(file, `Cannot tell whether ${absolute} is in use (connect failed with ${probe.error.code}); remove it by hand if it is stale`, {
      cause: probe.error,
    });
  }
  // nobody accepts on it: a previous server died without removing it
  return { stale: { dev: info.dev, ino: info.ino } };
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

/**
 * A name in the same directory to bind on first (a rename needs the same
 * filesystem), short enough for sun_path; undefined when even that does not
 * fit (the directory's own path is nearly 107 bytes).
 */
async function temporaryName(absolute: string): Promise<string | undefined> {
  // node:crypto loaded here, not with the module: every supervisor imports this file, few serve
  const { randomBytes } = await import('node:crypto');
  const name = path.join(path.dirname(absolute), `.sv-${process.pid.toString(36)}-${randomBytes(6).toString('base64url')}`);
  return Buffer.byteLength(name) <= MAX_SOCKET_PATH ? name : undefined;
}

/**
 * Binds `server` on `file` with exactly `mode`; resolves once it listens and
 * the socket is at `file`.
 *
 * The socket is bound on a temporary name in the same directory, its mode
 * set, and only then linked (or, over a stale socket, renamed) onto `file`.
 * libuv remembers the name it bound and unlinks that name when the listener
 * closes, whatever is there by then; so it only ever unlinks the temporary
 * name, which is gone, and never a socket or file someone else put at `file`.
 * A free path is taken with link(), which never replaces anything; a stale
 * socket is replaced with rename(), atomically, after it was judged stale.
 */
export async function listenOnPath(server: net.Server, file: string, mode: number, backlog: number): Promise<{ identity: SocketIdentity; warnings: string[] }> {
  const temporary = await temporaryName(file);
  const warnings: string[] = [];
  if (!temporary) {
    warnings.push(`the socket path ${file} is too long to bind on a temporary name first; if its file is replaced while the server runs, the replacement is removed when the server stops`);
  }
  const bound = temporary ?? file;
  await bindWithMode(server, bound, mode, backlog);
  const removeTemporary = () => (temporary ? unlink(temporary).catch(() => {}) : Promise.resolve());
  try {
    await chmod(bound, mode);
    const info = await lstat(bound);
    const identity = { dev: info.dev, ino: info.ino };
    if (temporary) await placeSocket(temporary, file);
    return { identity, warnings };
  } catch (error) {
    await removeTemporary();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (error instanceof SocketPathError) throw error;
    throw new SocketPathError(file, `Cannot listen on ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Puts the socket bound at `temporary` at `file`: link() where nothing is (never replaces), rename() over a stale socket. */
async function placeSocket(temporary: string, file: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const target = await judgeTarget(file, file);
    if (target === 'free') {
      try {
        await link(temporary, file);
        await unlink(temporary);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // something appeared meanwhile: judge it again
        if (code === 'EEXIST') continue;
        // a filesystem without hard links: rename() onto the free path instead
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
      }
    } else {
      // still the socket we judged stale (a moment ago): replace it in one step
      const again = await lstat(file).catch(() => undefined);
      if (again && (!again.isSocket() || again.dev !== target.stale.dev || again.ino !== target.stale.ino)) continue;
    }
    await rename(temporary, file);
    return;
  }
  throw new SocketPathError(file, `Cannot create the socket ${file}: something else keeps appearing at that path`);
}

/** Binds with the umask narrowed to `mode`, so the socket never exists with wider permissions, not even for a moment. */
async function bindWithMode(server: net.Server, file: string, mode: number, backlog: number): Promise<void> {
  let previous: number | undefined;
  try {
    previous = process.umask(0o777 & ~mode);
  } catch {
    // worker threads cannot change the umask; the chmod after the bind still sets the mode
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
}

/** Removes the socket file if it is still the one this server created (same device and inode); returns whether it did. */
export async function removeSocketFile(file: string, identity: SocketIdentity | undefined): Promise<boolean> {
  if (!identity) return false;
  try {
    const info = await lstat(file);
    if (!info.isSocket() || info.ino !== identity.ino || info.dev !== identity.dev) return false;
    await unlink(file);
    return true;
  } catch {
    // already gone
    return false;
  }
}

/** The same, synchronously: for process exit, when nothing asynchronous runs any more. */
export function removeSocketFileSync(file: string, identity: SocketIdentity | undefined): boolean {
  if (!identity) return false;
  try {
    const info = lstatSync(file);
    if (!info.isSocket() || info.ino !== identity.ino || info.dev !== identity.dev) return false;
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
