/*
 * Starts one worker process with execa. The fourth stdio slot (fd 3) is a
 * 'pipe', which libuv creates with socketpair(AF_UNIX, SOCK_STREAM): an
 * anonymous, connected, full-duplex stream that only this parent and this one
 * child hold, with no path in the filesystem. Jobs travel only on it.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ChildProcess } from 'node:child_process';
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
  const subprocess = execa(process.execPath, [...settings.execArgv, WORKER_ENTRY, JSON.stringify(config)], {
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
    detached: true,
    cleanup: true,
    cwd: settings.cwd,
    env: settings.env,
    extendEnv: true,
  });
  // The result promise only settles when the process ends; exits are handled through events.
  subprocess.catch(() => {});
  const channel = subprocess.stdio?.[3];
  if (!channel || !subprocess.stdout || !subprocess.stderr) {
    throw Object.assign(new Error('the worker process was spawned without its channel'), { code: 'ERR_SPAWN' });
  }
  if (subprocess.pid !== undefined) guardGroup(subprocess.pid);
  return {
    process: subprocess as unknown as ChildProcess,
    channel: channel as unknown as Socket,
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
  };
}
