/*
 * Starts one worker process with execa. The fourth stdio slot (fd 3) is a
 * 'pipe', which libuv creates with socketpair(AF_UNIX, SOCK_STREAM): an
 * anonymous, connected, full-duplex stream that only this parent and this one
 * child hold, with no path in the filesystem. Jobs travel only on it.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ChildProcess } from 'node:child_process';
import type { WorkerConfig } from '../worker/types.js';
import { guardGroup } from './watchdog.js';

/** The compiled worker entry; spawned as plain JavaScript. */
export const WORKER_ENTRY = fileURLToPath(new URL('../worker/main.js', import.meta.url));

export interface SpawnedWorker {
  /** The child process (execa's subprocess; only its ChildProcess side is used). */
  process: ChildProcess;
  channel: Socket;
  stdout: Readable;
  stderr: Readable;
}

export interface SpawnSettings {
  execArgv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Serve mode: also give the child a Node IPC channel (connections are passed over it); fd 3 stays the job channel. */
  ipc?: boolean;
}

/** Spawns `node <worker entry> <config>` with fd 3 as the job channel. */
export function spawnWorker(config: WorkerConfig, settings: SpawnSettings): SpawnedWorker {
  const subprocess = withSpawnFailure(() => execa(process.execPath, [...settings.execArgv, WORKER_ENTRY, JSON.stringify(config)], {
    // serve mode adds Node's IPC channel at fd 4 (NODE_CHANNEL_FD); an 'ipc' stdio entry rather than execa's
    // `ipc` option, so that execa does not consume the channel's messages itself
    stdio: settings.ipc ? ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe', 'pipe'],
    serialization: 'json',
    // execa must not collect the channel or the worker's output: they are streamed
    buffer: false,
    reject: false,
    // each worker in its own process group: a Ctrl-C at the terminal (or a signal to the supervisor's group)
    // reaches only the supervisor, which drains and stops its workers itself. Workers still never outlive it:
    // they exit when their channel closes, which the kernel does when the supervisor dies, and the watchdog
    // kills the group of any whose event loop is too busy to notice.
    // (execa's `cleanup`, killing the child when this process exits, does nothing for a detached child: the
    // channel and the watchdog are what end workers, so it is not asked for)
    detached: true,
    cwd: settings.cwd,
    env: settings.env,
    extendEnv: true,
  }));
  // The result promise only settles when the process ends; exits are handled through events.
  subprocess.catch(() => {});
  const channel = subprocess.stdio?.[3];
  if (!channel || !subprocess.stdout || !subprocess.stderr) {
    throw Object.assign(new Error('the worker process was spawned without its channel'), { code: 'ERR_SPAWN' });
  }
  if (subprocess.pid !== undefined) guardGroup(subprocess.pid);
  return {
    // execa's subprocess is the ChildProcess itself with a promise mixed in; the handle needs only the
    // ChildProcess side (events, pid, kill), and execa's type does not say it extends ChildProcess
    process: subprocess as unknown as ChildProcess,
    channel: channel as unknown as Socket,
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
  };
}

/** ChildProcess#spawn, which child_process.spawn() calls on the child it creates; undocumented: 0 or a negative errno. */
type SpawnMethod = (this: ChildProcess, options: unknown) => unknown;

/**
 * Runs `start` (which spawns one child through execa) and turns a spawn that
 * Node could not even set up into a plain error with its errno code. When the
 * fd table is full (EMFILE, ENFILE), Node returns a child without stdio and
 * reports the errno only as an 'error' event on the next tick; execa then
 * throws `TypeError: subprocess.stdio is not iterable` and drops that child,
 * whose 'error' event, with no listener, would be an uncaught exception in the
 * host. So the child is caught as it is created (ChildProcess#spawn, wrapped
 * only for this synchronous call), its error is listened to, and the thrown
 * error says EMFILE, which the exit policy retries with backoff.
 */
function withSpawnFailure<T>(start: () => T): T {
  const proto = ChildProcess.prototype as unknown as { spawn?: SpawnMethod };
  const spawnChild = proto.spawn;
  if (typeof spawnChild !== 'function') return start();
  let child: ChildProcess | undefined;
  let errno = 0;
  proto.spawn = function (this: ChildProcess, options: unknown) {
    child = this;
    const result = spawnChild.call(this, options);
    errno = typeof result === 'number' ? result : 0;
    return result;
  };
  try {
    return start();
  } catch (error) {
    if (!child || child.stdio || errno >= 0) throw error;
    child.once('error', () => {});
    const code = getSystemErrorName(errno);
    throw Object.assign(new Error(`spawn ${process.execPath} ${code}`, { cause: error }), { code, errno, syscall: 'spawn' });
  } finally {
    proto.spawn = spawnChild;
  }
}
