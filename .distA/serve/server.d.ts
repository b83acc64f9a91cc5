import { TypedEmitter } from '../supervisor/events.js';
import { type SupervisorOptions } from '../supervisor/options.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { WorkerHandle } from '../supervisor/worker-handle.js';
/** The listen() backlog passed when none is given: above any somaxconn, so the kernel's net.core.somaxconn decides. */
export declare const KERNEL_BACKLOG = 2147483647;
export interface ServeOptions extends SupervisorOptions {
    /** Path of the Unix socket to listen on. */
    socket: string;
    /** Permission bits of the socket file; must include owner read and write. 0o660 lets the group connect. @default 0o600 */
    mode?: number;
    /** ms a worker has to acknowledge a handed-off connection; past it the connection goes back to the head of the queue. @default 1000 */
    handoffTimeout?: number;
    /** ms an accepted connection may wait, from its arrival, for a worker to take it before it is closed. @default 30000 */
    queueTimeout?: number;
    /** ms open connections get to finish on close() and on reload before they are closed. @default 30000 */
    grace?: number;
    /** listen() backlog: connections the kernel queues before the server accepts them. @default the kernel's somaxconn */
    backlog?: number;
}
export interface ServeCloseOptions {
    /** Overrides the `grace` option for this close. */
    grace?: number;
}
export interface ServeAddress {
    /** Absolute path of the socket file. */
    path: string;
    /** Its permission bits. */
    mode: number;
}
export interface ServeWorkerStats {
    workerId: number;
    pid: number | undefined;
    state: WorkerHandle['state'];
    /** Connections this worker holds now. */
    open: number;
    /** Connections sent to it and not yet acknowledged. */
    pending: number;
    /** Connections it accepted in all. */
    served: number;
    /** A hand-off to it timed out and it has not answered since: it gets no new connections. */
    stalled: boolean;
}
export interface ServeStats {
    /** Connections accepted on the socket. */
    accepted: number;
    /** Connections a worker acknowledged. */
    handedOff: number;
    /** Hand-offs a worker did not acknowledge in time. */
    handoffTimeouts: number;
    /** Hand-offs a worker refused (late, draining, no descriptor) or that failed to send. */
    refused: number;
    /** Times a connection went back to the head of the queue (timeout, refusal, worker exit). */
    requeued: number;
    /** Connections closed without any worker taking them (queueTimeout, closing). */
    dropped: number;
    /** Times the server stopped accepting because file descriptors were running out (see the README). */
    acceptPauses: number;
    /** Whether it is not accepting now, for that reason: new connections wait in the kernel's backlog. */
    acceptPaused: boolean;
    /** Connections open in workers now. */
    open: number;
    /** Connections waiting for a worker. */
    queued: number;
    workers: ServeWorkerStats[];
}
export interface ServeEvents {
    /** A worker took a connection. */
    handoff: [{
        connectionId: number;
        workerId: number;
        pid: number | undefined;
    }];
    /** A connection was closed without a worker taking it. */
    drop: [{
        connectionId: number;
        reason: string;
    }];
    /** The pool failed (boot error after start, crash loop): the server stopped accepting and closed. */
    failed: [Error];
    close: [];
}
export declare class SocketServer extends TypedEmitter<ServeEvents> {
    /** The worker pool; `supervisor.run()` still runs jobs on the same workers. */
    readonly supervisor: Supervisor;
    private gate;
    /** Accepted connections whose descriptor the supervisor holds (queued or offered). */
    private held;
    private readonly slots;
    private readonly conns;
    /** Connections waiting for a worker, oldest (and released ones) first. */
    private readonly queue;
    private readonly counts;
    private readonly handoffTimeout;
    private readonly queueTimeout;
    private readonly grace;
    private readonly backlog;
    private readonly modeValue;
    private socketPath;
    private identity;
    private nextConnId;
    private closing;
    private closingAll;
    private reloading;
    private idleWaiters;
    private stallCheck;
    private readonly onExitBound;
    private constructor();
    /**
     * Validates the options, checks the path (a live server, a non-socket or an
     * unsafe directory is refused), starts the workers, and listens once they
     * are ready. Use `serve()`.
     */
    static open(options: ServeOptions): Promise<SocketServer>;
    /** Where the server listens. */
    address(): ServeAddress;
    get path(): string;
    get listening(): boolean;
    stats(): ServeStats;
    private start;
    private createGate;
    private listen;
    /** The listening socket was lost (its keeper died while accepting was paused): bind the path again. */
    private relisten;
    /**
     * Rolling restart (SIGHUP): each worker is replaced by a fresh one that is
     * ready before the old one stops taking connections, so none is refused.
     * The old worker keeps its open connections until they end, or `grace` ms.
     */
    reload(): Promise<void>;
    /**
     * Graceful shutdown (SIGTERM): stops accepting and removes the socket file,
     * lets open connections finish for up to `grace` ms, closes the rest, then
     * stops the workers.
     */
    close(options?: ServeCloseOptions): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
    private closeNow;
    private stopListening;
    private idle;
    private checkIdle;
    /** Emits an event; a listener that throws is logged, and cannot break the server's own bookkeeping. */
    private emitSafe;
    private onSpawn;
    private onWorkerMessage;
    /** A worker took the connection: it holds its own descriptor now, and ours is closed. */
    private own;
    private markFull;
    private onWorkerExit;
    private onFailed;
    private sendTo;
    private onConnection;
    /** Closes the connection if no worker has taken it by its queue deadline. */
    private armQueueTimer;
    /** Offers queued connections, oldest first, to the workers the balancer picks, while any can take one. */
    private pump;
    private offer;
    private onHandoffTimeout;
    /** A stalled worker whose heartbeats resumed runs again: it may be offered connections before it answers the late ones. */
    private watchStalled;
    /**
     * Takes an offered connection back from its worker and puts it at the head
     * of the queue, for the next worker that can take it (the same one, once it
     * answers again, included). Past its queue deadline, or while closing, it is
     * closed instead.
     */
    private release;
    /** The connection is over for us: its worker closed it or is gone. */
    private finish;
    /** Hangs up a connection no worker took: shutdown(SHUT_WR) reaches the client even if a stalled worker holds a copy. */
    private drop;
}
/**
 * Starts a server on a named Unix socket whose connections are served by a
 * pool of worker processes; each worker module exports `connection(socket, ctx)`.
 * Resolves once the workers are ready and the socket listens.
 */
export declare function serve(options: ServeOptions): Promise<SocketServer>;
