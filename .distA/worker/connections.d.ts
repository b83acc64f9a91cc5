import { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Handler } from './types.js';
/** The export a worker module needs for `supervise serve`. */
export declare const CONNECTION_HANDLER = "connection";
/** What a connection handler receives besides the socket. */
export interface ConnectionContext {
    /** The connection's id, unique within the server. */
    readonly connectionId: number;
    /** This worker's id in the pool. */
    readonly workerId: number;
    /** Aborts when this worker starts draining (reload, shutdown): finish what you are doing and end the socket. One per connection. */
    readonly signal: AbortSignal;
    /** A pino logger bound to this worker and connection. */
    readonly log: Logger;
}
/** Serve mode's handler: the worker owns the client connection from here on. */
export type ConnectionHandler = (socket: Socket, ctx: ConnectionContext) => unknown;
export declare class ConnectionServer {
    /** The worker's root logger, made on first use. */
    private readonly log;
    private readonly workerId;
    private readonly open;
    private readonly contexts;
    private readonly handler;
    private draining;
    private onIdle;
    constructor(handlers: Map<string, Handler>, 
    /** The worker's root logger, made on first use. */
    log: () => Logger, workerId: number);
    /** Starts taking connections; call before the hello frame, so none can arrive unheard. */
    start(): void;
    /** Called once the shutdown frame came: resolves when every open connection has closed. */
    drain(): Promise<void>;
    private onConnection;
    private closeAll;
    private send;
}
