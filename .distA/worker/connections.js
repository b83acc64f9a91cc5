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
import { isToWorker } from '../protocol/serve.js';
/** The export a worker module needs for `supervise serve`. */
export const CONNECTION_HANDLER = 'connection';
export class ConnectionServer {
    log;
    workerId;
    open = new Map();
    contexts = new Map();
    handler;
    draining = false;
    onIdle;
    constructor(handlers, 
    /** The worker's root logger, made on first use. */
    log, workerId) {
        this.log = log;
        this.workerId = workerId;
        const handler = handlers.get(CONNECTION_HANDLER);
        if (!handler) {
            throw new Error(`\`supervise serve\` needs a \`${CONNECTION_HANDLER}(socket, ctx)\` export, and this module has none (its handlers: ${[...handlers.keys()].join(', ') || 'none'})`);
        }
        this.handler = handler;
    }
    /** Starts taking connections; call before the hello frame, so none can arrive unheard. */
    start() {
        process.on('message', (message, handle) => {
            if (!isToWorker(message))
                return;
            if (message.supervise === 'conn')
                this.onConnection(message, handle);
            else
                this.closeAll();
        });
    }
    /** Called once the shutdown frame came: resolves when every open connection has closed. */
    drain() {
        this.draining = true;
        for (const ctx of this.contexts.values())
            ctx.abort();
        if (this.open.size === 0)
            return Promise.resolve();
        this.send({ supervise: 'draining', open: this.open.size });
        return new Promise((resolve) => {
            this.onIdle = resolve;
        });
    }
    onConnection(message, handle) {
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
            if (this.draining && this.open.size === 0)
                this.onIdle?.();
        });
        // a client resetting its connection must not take the whole worker (and its other clients) down
        socket.on('error', (error) => this.log().debug({ err: error, connectionId: id }, 'connection error'));
        const fail = (error) => {
            ctx.log.error({ err: error }, 'connection handler failed; closing the connection');
            socket.destroy();
        };
        try {
            const result = this.handler(socket, ctx);
            if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
                result.then(undefined, fail);
            }
        }
        catch (error) {
            fail(error);
        }
    }
    closeAll() {
        for (const socket of this.open.values())
            socket.destroy();
    }
    send(message) {
        if (!process.connected || !process.send)
            return;
        // a closed channel means the supervisor is gone; the fd-3 channel closing ends this process
        process.send(message, undefined, undefined, () => { });
    }
}
/** A connection's `ctx`; its signal and logger are made only if the handler asks for them. */
class ConnectionCtx {
    connectionId;
    workerId;
    rootLog;
    controller;
    logger;
    aborted = false;
    constructor(connectionId, workerId, rootLog) {
        this.connectionId = connectionId;
        this.workerId = workerId;
        this.rootLog = rootLog;
    }
    get signal() {
        if (!this.controller) {
            this.controller = new AbortController();
            if (this.aborted)
                this.abort();
        }
        return this.controller.signal;
    }
    get log() {
        return (this.logger ??= this.rootLog().child({ connectionId: this.connectionId }));
    }
    abort() {
        this.aborted = true;
        if (this.controller && !this.controller.signal.aborted) {
            this.controller.abort(Object.assign(new Error('The worker is draining'), { name: 'AbortError', code: 'ABORT_ERR' }));
        }
    }
}
//# sourceMappingURL=connections.js.map