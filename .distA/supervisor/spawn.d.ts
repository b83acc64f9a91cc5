import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ChildProcess } from 'node:child_process';
import type { WorkerConfig } from '../worker/types.js';
/** The compiled worker entry; spawned as plain JavaScript. */
export declare const WORKER_ENTRY: string;
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
export declare function spawnWorker(config: WorkerConfig, settings: SpawnSettings): SpawnedWorker;
