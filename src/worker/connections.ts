/*
 * The worker side of serve mode. The supervisor accepted a client on the named
 * socket without reading from it and passes the connection's file descriptor
 * here over the Node IPC channel; from then on this process talks to the
 * client directly, through the module's `connection(socket, ctx)` export.
 *
 *   IPC conn {id, offer, deadline} + fd ─► accept (or refuse when late, draining, or held already)
 *                                  ├─► accepted {id, offer} ─► supervisor counts it on this worker
 *                                  └─► connection(socket, ctx)
 *   socket 'close' ─► closed {id} ─► supervisor's least-connections count drops
 *   shutdown frame ─► ctx.signal aborts; exit waits for open connections (draining {open})
 *   close-all ─► remaining connections are destroyed
 */
import { Socket } from 'node:net';
import type { Logger } from 'pino';
import { isToWorker, type ConnMessage, type FromWorker } from '../protocol/serve.js';
import type { Handler } from './types.js';

/** The export a worker module needs for `supervise serve`. */
export const CONNECTION_HANDLER = 'connection';

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

export class ConnectionServer {
  private readonly open = new Map<number, Socket>();
  private readonly contexts = new Map<number, ConnectionCtx>();
  private readonly handler: ConnectionHandler;
  private draining = false;
  private onIdle: (() => void) | undefined;

  constructor(
    handlers: Map<string, Handler>,
    /** The worker's root logger, made on first use. */
    private readonly log: () => Logger,
    private readonly workerId: number,
  ) {
    const handler = handlers.get(CONNECTION_HANDLER);
    if (!handler) {
      throw new Error(
        `\`supervise serve\` needs a \`${CONNECTION_HANDLER}(socket, ctx)\` export, and this module has none (its handlers: ${[...handlers.keys()].join(', ') || 'none'})`,
      );
    }
    this.handler = handler as unknown as ConnectionHandler;
  }

  /** Starts taking connections; call before the hello frame, so none can arrive unheard. */
  start(): void {
    process.on('message', (message: unknown, handle: unknown) => {
      if (!isToWorker(message)) return;
      if (message.supervise === 'conn') this.onConnection(message, handle);
      else this.closeAll();
    });
  }

  /** Called once the shutdown frame came: resolves when every open connection has closed. */
  drain(): Promise<void> {
    this.draining = true;
    for (const ctx of this.contexts.values()) ctx.abort();
    if (this.open.size === 0) return Promise.resolve();
    this.send({ supervise: 'draining', open: this.open.size });
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  private onConnection(message: ConnMessage, handle: unknown): void {
    const { id, offer } = message;
    if (!(handle instanceof Socket)) {
      // the supervisor closed its copy before Node got to send it (it gave up on this hand-off)
      this.send({ supervise: 'refused', id, offer, reason: 'no-handle' });
      return;
    }
    const socket = handle;
    // Node started the socket's read, but no data is read before this tick ends: closing it here loses nothing.
    if (Date.now() > message.deadline || this.draining || this.open.has(id)) {
      socket.destroy();
      this.send({ supervise: 'refused', id, offer, reason: this.open.has(id) ? 'duplicate' : this.draining ? 'draining' : 'late' });
      return;
    }
    this.open.set(id, socket);
    const ctx = new ConnectionCtx(id, this.workerId, this.log);
    this.contexts.set(id, ctx);
    this.send({ supervise: 'accepted', id, offer });
    socket.once('close', () => {
      this.open.delete(id);
      this.contexts.delete(id);
      this.send({ supervise: 'closed', id });
      if (this.draining && this.open.size === 0) this.onIdle?.();
    });
    // a client resetting its connection must not take the whole worker (and its other clients) down
    socket.on('error', (error) => this.log().debug({ err: error, connectionId: id }, 'connection error'));
    const fail = (error: unknown) => {
      ctx.log.error({ err: error }, 'connection handler failed; closing the connection');
      socket.destroy();
    };
    try {
      const result = this.handler(socket, ctx);
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, fail);
      }
    } catch (error) {
      fail(error);
    }
  }

  private closeAll(): void {
    for (const socket of this.open.values()) socket.destroy();
  }

  private send(message: FromWorker): void {
    if (!process.connected || !process.send) return;
    // a closed channel means the supervisor is gone; the fd-3 channel closing ends this process
    process.send(message, undefined, undefined, () => {});
  }
}

/** A connection's `ctx`; its signal and logger are made only if the handler asks for them. */
class ConnectionCtx implements ConnectionContext {
  private controller: AbortController | undefined;
  private logger: Logger | undefined;
  private aborted = false;

  constructor(
    readonly connectionId: number,
    readonly workerId: number,
    private readonly rootLog: () => Logger,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.abort();
    }
    return this.controller.signal;
  }

  get log(): Logger {
    return (this.logger ??= this.rootLog().child({ connectionId: this.connectionId }));
  }

  abort(): void {
    this.aborted = true;
    if (this.controller && !this.controller.signal.aborted) {
      this.controller.abort(Object.assign(new Error('The worker is draining'), { name: 'AbortError', code: 'ABORT_ERR' }));
    }
  }
}
