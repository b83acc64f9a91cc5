import net from 'node:net';
import { SuperviseError } from '../errors.js';
/** A socket path that cannot be used; the message says why and what to do. CLI exit code 2. */
export declare class SocketPathError extends SuperviseError {
    path: string;
    constructor(file: string, message: string, options?: {
        cause?: unknown;
    });
}
/** Usable bytes of sockaddr_un.sun_path: 108 on Linux (104 on macOS), less the terminating NUL. */
export declare const MAX_SOCKET_PATH: number;
export declare const DEFAULT_MODE = 384;
/** Resolves and checks the path's shape: not empty, no NUL byte, fits in sun_path. */
export declare function resolveSocketPath(file: string): string;
/** Parses a permission mode: 0660, 660 and 0o660 are octal. */
export declare function parseMode(text: string): number | undefined;
export declare function formatMode(mode: number): string;
type Probe = 'live' | 'stale' | 'gone' | {
    error: NodeJS.ErrnoException;
};
/** Connects to the socket to tell a live server from a stale file. */
export declare function probeSocket(file: string, timeout?: number): Promise<Probe>;
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
export declare function prepareSocketPath(file: string): Promise<PathCheck>;
export interface SocketIdentity {
    dev: number;
    ino: number;
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
export declare function listenOnPath(server: net.Server, file: string, mode: number, backlog: number): Promise<{
    identity: SocketIdentity;
    warnings: string[];
}>;
/** Removes the socket file if it is still the one this server created (same device and inode); returns whether it did. */
export declare function removeSocketFile(file: string, identity: SocketIdentity | undefined): Promise<boolean>;
/** The same, synchronously: for process exit, when nothing asynchronous runs any more. */
export declare function removeSocketFileSync(file: string, identity: SocketIdentity | undefined): boolean;
export {};
