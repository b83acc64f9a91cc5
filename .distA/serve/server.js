/*
 * `serve()`: a named Unix socket in front of the worker pool. The supervisor
 * accepts each client connection without reading a byte (pauseOnConnect) and
 * passes its file descriptor to a worker over that worker's Node IPC channel
 * (SCM_RIGHTS); the worker then talks to the client directly. The pool itself
 * is an ordinary Supervisor: hello and heartbeats still travel on each
 * worker's fd-3 socketpair, and crashes, backoff, crash-loop limits and
 * rolling reloads are the Supervisor's.
 *
 * Each accepted connection moves through explicit states:
 *
 *   accept ─► queued ──balancer picks a worker──► offered ──accepted──► owned ──closed / worker gone──► done
 *               ▲  │                                │
 *               │  └─ queueTimeout, closing ─► done │ (our copy is closed once the worker owns it)
 *               └──── release(conn, reason) ◄───────┘ hand-off timed out, refused, send failed, worker exited:
 *                     back to the HEAD of the queue
 *
 * The supervisor keeps its own descriptor until a worker accepts, so a worker
 * that dies or stalls before accepting cannot lose the connection. A
 * connection is closed unserved only when no worker took it within
 * `queueTimeout` of its arrival, or the server is closing: never because a
 * worker was slow while others (or the same one, later) could take it. A
 * worker whose hand-off timed out is `stalled` and gets no new offers until
 * it answers anything; at most OFFER_WINDOW hand-offs per worker are
 * unanswered, the rest wait here.
 */
import net from 'node:net';
import { SupervisorClosedError } from '../errors.js';
import { Lifecycle } from '../lifecycle.js';
import { isFromWorker } from '../protocol/serve.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption, invalid, resolveOptions } from '../supervisor/options.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { AcceptGate } from './accept-gate.js';
import { pickWorker } from './balancer.js';
import { CONN_MOVES } from './connection-state.js';
import { DEFAULT_MODE, formatMode, listenOnPath, prepareSocketPath, removeSocketFile, removeSocketFileSync, resolveSocketPath } from './socket-path.js';
/** The listen() backlog passed when none is given: above any somaxconn, so the kernel's net.core.somaxconn decides. */
export const KERNEL_BACKLOG = 0x7fffffff;
/** A worker as serve mode sees it. */
class Slot {
    handle;
    /** Hand-offs sent and not answered yet. */
    offers = new Set();
    /** Connections it owns. */
    owned = new Set();
    served = 0;
    /** A hand-off timed out: no new offers until the worker says anything or heartbeats again. */
    stalled = false;
    stalledAt = 0;
    /** It could not receive a descriptor (its fd table is full): no new offers until one of its connections closes. */
    full = false;
    drainTimer;
    constructor(handle) {
        this.handle = handle;
    }
    get accepting() {
        return this.handle.state === 'ready' && this.handle.child.connected && !this.stalled && !this.full;
    }
    get open() {
        return this.owned.size;
    }
    get offered() {
        return this.offers.size;
    }
    get id() {
        return this.handle.id;
    }
}
/** After the deadline, how long to wait for an acknowledgement that may already be on its way. */
const ACK_MARGIN = 100;
/** A worker that could not receive a descriptor is offered connections again after this, even if none of its own closed. */
const FULL_RETRY_MS = 1000;
/** While a worker is stalled, how often its heartbeats are checked for a sign that it runs again. */
const STALL_CHECK_MS = 50;
export class SocketServer extends TypedEmitter {
    /** The worker pool; `supervisor.run()` still runs jobs on the same workers. */
    supervisor;
    gate;
    /** Accepted connections whose descriptor the supervisor holds (queued or offered). */
    held = 0;
    slots = new Map();
    conns = new Map();
    /** Connections waiting for a worker, oldest (and released ones) first. */
    queue = [];
    counts = { accepted: 0, handedOff: 0, handoffTimeouts: 0, refused: 0, requeued: 0, dropped: 0 };
    handoffTimeout;
    queueTimeout;
    grace;
    backlog;
    modeValue;
    socketPath;
    identity;
    nextConnId = 1;
    closing;
    closingAll = false;
    reloading;
    idleWaiters = [];
    stallCheck;
    onExitBound = () => removeSocketFileSync(this.socketPath, this.identity);
    constructor(settings, supervisorOptions) {
        super();
        this.socketPath = settings.path;
        this.modeValue = settings.mode;
        this.handoffTimeout = settings.handoffTimeout;
        this.queueTimeout = settings.queueTimeout;
        this.grace = settings.grace;
        this.backlog = settings.backlog;
        this.supervisor = new Supervisor(supervisorOptions, { ipc: true, onSpawn: (worker) => this.onSpawn(worker) });
        this.gate = this.createGate();
        this.supervisor.on('worker:ready', () => this.pump());
        this.supervisor.on('worker:exit', (event) => this.onWorkerExit(event.workerId));
        this.supervisor.on('failed', (error) => this.onFailed(error));
    }
    /**
     * Validates the options, checks the path (a live server, a non-socket or an
     * unsafe directory is refused), starts the workers, and listens once they
     * are ready. Use `serve()`.
     */
    static async open(options) {
        const { settings, supervisorOptions } = resolveServeOptions(options);
        const { warnings } = await prepareSocketPath(settings.path);
        const server = new SocketServer(settings, supervisorOptions);
        await server.start(warnings);
        return server;
    }
    /** Where the server listens. */
    address() {
        return { path: this.socketPath, mode: this.modeValue };
    }
    get path() {
        return this.socketPath;
    }
    get listening() {
        return this.gate.open;
    }
    stats() {
        let open = 0;
        const workers = [];
        for (const [workerId, slot] of this.slots) {
            open += slot.open;
            workers.push({ workerId, pid: slot.handle.pid, state: slot.handle.state, open: slot.open, pending: slot.offered, served: slot.served, stalled: slot.stalled });
        }
        return { ...this.counts, acceptPauses: this.gate.pauses, acceptPaused: this.gate.paused, open, queued: this.queue.length, workers };
    }
    async start(pathWarnings) {
        for (const warning of pathWarnings)
            this.supervisor.log.warn({ socket: this.socketPath }, warning);
        try {
            await this.supervisor.ready();
            // judged again at the bind: something may have appeared at the path while the workers started
            await this.listen();
        }
        catch (error) {
            await this.supervisor.destroy();
            throw error;
        }
        // however the process ends (an uncaught error, process.exit()), the socket file goes with it if it is still ours
        process.on('exit', this.onExitBound);
        this.supervisor.log.info({ socket: this.socketPath, mode: formatMode(this.modeValue), workers: this.supervisor.options.workers }, `serving ${this.socketPath} (mode ${formatMode(this.modeValue)}) with ${this.supervisor.options.workers} workers`);
    }
    createGate() {
        return new AcceptGate({
            onConnection: (socket) => this.onConnection(socket),
            log: this.supervisor.log,
            backlog: this.backlog,
            workers: this.supervisor.options.workers,
            onLost: () => void this.relisten(),
        });
    }
    async listen() {
        const { identity, warnings } = await listenOnPath(this.gate.server, this.socketPath, this.modeValue, this.backlog);
        this.identity = identity;
        for (const warning of warnings)
            this.supervisor.log.warn({ socket: this.socketPath }, warning);
        this.gate.arm();
    }
    /** The listening socket was lost (its keeper died while accepting was paused): bind the path again. */
    async relisten() {
        if (this.closing || this.closingAll)
            return;
        await this.gate.close();
        this.gate = this.createGate();
        try {
            await this.listen();
            this.gate.update(this.held);
        }
        catch (error) {
            this.supervisor.log.error({ err: error }, `cannot listen on ${this.socketPath} again`);
        }
    }
    /**
     * Rolling restart (SIGHUP): each worker is replaced by a fresh one that is
     * ready before the old one stops taking connections, so none is refused.
     * The old worker keeps its open connections until they end, or `grace` ms.
     */
    reload() {
        if (this.closing)
            return Promise.reject(new SupervisorClosedError('The server is closing'));
        return (this.reloading ??= this.supervisor.reload().finally(() => {
            this.reloading = undefined;
        }));
    }
    /**
     * Graceful shutdown (SIGTERM): stops accepting and removes the socket file,
     * lets open connections finish for up to `grace` ms, closes the rest, then
     * stops the workers.
     */
    close(options = {}) {
        return (this.closing ??= this.closeNow(integerOption('grace', options.grace, 0, this.grace)));
    }
    async [Symbol.asyncDispose]() {
        await this.close();
    }
    async closeNow(grace) {
        await this.stopListening();
        if (grace > 0 && !this.idle()) {
            let timer;
            await Promise.race([
                new Promise((resolve) => this.idleWaiters.push(resolve)),
                new Promise((resolve) => (timer = setTimeout(resolve, grace))),
            ]);
            clearTimeout(timer);
        }
        this.closingAll = true;
        clearInterval(this.stallCheck);
        for (const conn of [...this.conns.values()])
            if (!conn.life.is('owned'))
                this.drop(conn, 'the server is closing');
        for (const slot of this.slots.values())
            this.sendTo(slot, { supervise: 'close-all' });
        await this.supervisor.close();
        process.off('exit', this.onExitBound);
        this.emitSafe('close');
    }
    async stopListening() {
        // unlinked first, while our listener still pins the socket's inode (so its number cannot have been reused),
        // and only if the path still holds that socket: one put there by someone else, or a file, is left alone
        if (this.identity && !(await removeSocketFile(this.socketPath, this.identity)) && this.gate.open) {
            this.supervisor.log.warn({ socket: this.socketPath }, `${this.socketPath} is no longer this server's socket (removed or replaced); leaving it alone`);
        }
        this.identity = undefined;
        // libuv unlinks the name it bound as it closes: the temporary name, gone since the socket was moved into place
        await this.gate.close();
    }
    idle() {
        for (const conn of this.conns.values())
            if (!conn.life.is('done'))
                return false;
        return true;
    }
    checkIdle() {
        if (this.idleWaiters.length === 0 || !this.idle())
            return;
        for (const resolve of this.idleWaiters.splice(0))
            resolve();
    }
    /** Emits an event; a listener that throws is logged, and cannot break the server's own bookkeeping. */
    emitSafe(event, ...args) {
        try {
            this.emit(event, ...args);
        }
        catch (error) {
            this.supervisor.log.error({ err: error, event }, 'a serve event listener threw');
        }
    }
    // ── workers ────────────────────────────────────────────────────────
    onSpawn(handle) {
        const slot = new Slot(handle);
        this.slots.set(handle.id, slot);
        const child = handle.child;
        child.on('message', (message) => {
            if (isFromWorker(message))
                this.onWorkerMessage(slot, message);
        });
        // sends always pass a callback, so this only catches what Node reports on its own
        child.on('error', (error) => this.supervisor.log.debug({ err: error, workerId: handle.id }, 'worker IPC error'));
    }
    onWorkerMessage(slot, message) {
        // any answer means its event loop runs again
        const wasStalled = slot.stalled;
        slot.stalled = false;
        switch (message.supervise) {
            case 'accepted': {
                const conn = this.conns.get(message.id);
                if (!conn || conn.life.is('owned', 'done')) {
                    this.supervisor.log.error({ connectionId: message.id, workerId: slot.id }, 'a worker accepted a connection that is closed or owned by another worker');
                    break;
                }
                const late = conn.worker !== slot || message.offer !== conn.offers;
                if (late && conn.worker !== slot) {
                    // it accepted an earlier offer (within its deadline) whose answer came after the supervisor gave up on it:
                    // the worker has the connection; a copy offered to another worker since then may be taken twice
                    this.supervisor.log.error({ connectionId: conn.id, workerId: slot.id, offeredTo: conn.worker?.id }, 'a worker accepted a connection after its hand-off was given up; it keeps it');
                }
                this.own(conn, slot);
                break;
            }
            case 'refused': {
                const conn = this.conns.get(message.id);
                if (message.reason === 'no-handle')
                    this.markFull(slot);
                // only an answer to the current offer counts: a refusal of an earlier copy says nothing about this one
                if (!conn || conn.worker !== slot || message.offer !== conn.offers || !conn.life.is('offered'))
                    break;
                this.counts.refused++;
                this.supervisor.log.debug({ connectionId: conn.id, workerId: slot.id, reason: message.reason }, 'worker refused a connection');
                this.release(conn, 'refused');
                break;
            }
            case 'closed': {
                const conn = this.conns.get(message.id);
                slot.full = false;
                if (conn && conn.worker === slot && conn.life.is('owned'))
                    this.finish(conn);
                break;
            }
            case 'draining':
                // the worker got its shutdown frame with connections open: they get `grace` ms
                if (this.closingAll)
                    this.sendTo(slot, { supervise: 'close-all' });
                else if (!slot.drainTimer) {
                    slot.drainTimer = setTimeout(() => this.sendTo(slot, { supervise: 'close-all' }), this.grace);
                    slot.drainTimer.unref();
                }
                break;
        }
        if (wasStalled || this.queue.length > 0)
            this.pump();
    }
    /** A worker took the connection: it holds its own descriptor now, and ours is closed. */
    own(conn, slot) {
        if (!conn.life.to('owned'))
            return;
        clearTimeout(conn.offerTimer);
        clearTimeout(conn.queueTimer);
        conn.worker?.offers.delete(conn);
        const index = this.queue.indexOf(conn);
        if (index !== -1)
            this.queue.splice(index, 1);
        conn.worker = slot;
        slot.owned.add(conn);
        slot.served++;
        this.counts.handedOff++;
        // closing our copy (no shutdown) leaves the connection to the worker
        conn.socket.destroy();
        this.held--;
        this.gate.update(this.held);
        this.emitSafe('handoff', { connectionId: conn.id, workerId: slot.id, pid: slot.handle.pid });
    }
    markFull(slot) {
        if (slot.full)
            return;
        slot.full = true;
        this.supervisor.log.warn({ workerId: slot.id, pid: slot.handle.pid, open: slot.open }, `worker ${slot.id} could not receive a connection (its file descriptors are used up, with ${slot.open} connections open); no more go to it until one closes`);
        setTimeout(() => {
            slot.full = false;
            this.pump();
        }, FULL_RETRY_MS).unref();
    }
    onWorkerExit(workerId) {
        const slot = this.slots.get(workerId);
        if (!slot)
            return;
        this.slots.delete(workerId);
        clearTimeout(slot.drainTimer);
        // its open connections died with it (it held the only descriptors); those not yet accepted are still ours
        for (const conn of slot.owned)
            this.finish(conn);
        for (const conn of [...slot.offers])
            this.release(conn, 'worker-exit');
        this.checkIdle();
        this.pump();
    }
    onFailed(error) {
        this.supervisor.log.error({ err: error }, 'the worker pool failed; closing the socket');
        this.closingAll = true;
        process.off('exit', this.onExitBound);
        void this.stopListening().then(() => {
            for (const conn of [...this.conns.values()])
                if (!conn.life.is('owned'))
                    this.drop(conn, 'the worker pool failed');
            this.emitSafe('failed', error);
        });
    }
    sendTo(slot, message) {
        const { child } = slot.handle;
        if (!child.connected)
            return;
        try {
            child.send(message, undefined, undefined, () => { });
        }
        catch {
            // the channel closed under us: the worker is exiting
        }
    }
    // ── connections ────────────────────────────────────────────────────
    onConnection(socket) {
        // our copy is only ever closed, never read or written; errors on it are of no interest
        socket.on('error', () => { });
        if (this.closing || this.closingAll) {
            socket.destroy();
            return;
        }
        this.counts.accepted++;
        const conn = {
            id: this.nextConnId++,
            socket,
            life: new Lifecycle(CONN_MOVES, 'queued'),
            worker: undefined,
            queueDeadline: Date.now() + this.queueTimeout,
            offers: 0,
            offerTimer: undefined,
            queueTimer: undefined,
        };
        this.conns.set(conn.id, conn);
        this.held++;
        this.gate.update(this.held);
        this.queue.push(conn);
        this.armQueueTimer(conn);
        this.pump();
    }
    /** Closes the connection if no worker has taken it by its queue deadline. */
    armQueueTimer(conn) {
        if (conn.queueTimer)
            return;
        conn.queueTimer = setTimeout(() => {
            conn.queueTimer = undefined;
            // an offer still under way gets its answer (or its own timeout) first
            if (conn.life.is('queued'))
                this.drop(conn, `no worker took it within queueTimeout (${this.queueTimeout} ms)`);
        }, Math.max(0, conn.queueDeadline - Date.now()));
    }
    /** Offers queued connections, oldest first, to the workers the balancer picks, while any can take one. */
    pump() {
        if (this.closingAll)
            return;
        while (this.queue.length > 0) {
            const slot = pickWorker(this.slots.values());
            if (!slot)
                return;
            const conn = this.queue.shift();
            if (conn.life.is('queued'))
                this.offer(conn, slot);
        }
    }
    offer(conn, slot) {
        conn.life.to('offered');
        conn.worker = slot;
        slot.offers.add(conn);
        const deadline = Date.now() + this.handoffTimeout;
        const message = { supervise: 'conn', id: conn.id, offer: ++conn.offers, deadline };
        const offer = conn.offers;
        const failed = (error) => {
            if (conn.worker !== slot || conn.offers !== offer || !conn.life.is('offered'))
                return;
            this.supervisor.log.debug({ err: error, connectionId: conn.id, workerId: slot.id }, 'could not pass the connection to the worker');
            this.counts.refused++;
            this.release(conn, 'send-failed');
        };
        // the ack timer fires a margin after the deadline, and decides only after this turn's I/O (an ack already received) is handled
        conn.offerTimer = setTimeout(() => setImmediate(() => this.onHandoffTimeout(conn, slot, offer)), this.handoffTimeout + ACK_MARGIN);
        // keepOpen: our descriptor stays open until the worker acknowledges, so the connection survives a worker that never does
        try {
            slot.handle.child.send(message, conn.socket, { keepOpen: true }, (error) => {
                if (error)
                    failed(error);
            });
        }
        catch (error) {
            failed(error);
        }
    }
    onHandoffTimeout(conn, slot, offer) {
        if (conn.worker !== slot || conn.offers !== offer || !conn.life.is('offered'))
            return;
        this.counts.handoffTimeouts++;
        if (!slot.stalled) {
            slot.stalled = true;
            slot.stalledAt = Date.now();
            this.watchStalled();
            this.supervisor.log.warn({ connectionId: conn.id, workerId: slot.id, pid: slot.handle.pid, handoffTimeout: this.handoffTimeout }, 'worker did not acknowledge a connection in time; it gets no more until it answers, and the connection goes back to the head of the queue');
        }
        this.release(conn, 'handoff-timeout');
    }
    /** A stalled worker whose heartbeats resumed runs again: it may be offered connections before it answers the late ones. */
    watchStalled() {
        if (this.stallCheck)
            return;
        this.stallCheck = setInterval(() => {
            let stalled = 0;
            let woke = false;
            for (const slot of this.slots.values()) {
                if (!slot.stalled)
                    continue;
                if (slot.handle.lastBeat > slot.stalledAt) {
                    slot.stalled = false;
                    woke = true;
                }
                else
                    stalled++;
            }
            if (stalled === 0) {
                clearInterval(this.stallCheck);
                this.stallCheck = undefined;
            }
            if (woke)
                this.pump();
        }, STALL_CHECK_MS);
        this.stallCheck.unref();
    }
    /**
     * Takes an offered connection back from its worker and puts it at the head
     * of the queue, for the next worker that can take it (the same one, once it
     * answers again, included). Past its queue deadline, or while closing, it is
     * closed instead.
     */
    release(conn, reason) {
        const slot = conn.worker;
        if (!conn.life.to('queued'))
            return;
        clearTimeout(conn.offerTimer);
        conn.offerTimer = undefined;
        slot?.offers.delete(conn);
        conn.worker = undefined;
        if (this.closingAll)
            return this.drop(conn, 'the server is closing');
        if (Date.now() >= conn.queueDeadline)
            return this.drop(conn, `no worker took it within queueTimeout (${this.queueTimeout} ms); last try: ${reason}`);
        this.counts.requeued++;
        this.queue.unshift(conn);
        this.armQueueTimer(conn);
        this.pump();
    }
    /** The connection is over for us: its worker closed it or is gone. */
    finish(conn) {
        if (!conn.life.to('done'))
            return;
        clearTimeout(conn.offerTimer);
        clearTimeout(conn.queueTimer);
        conn.worker?.offers.delete(conn);
        conn.worker?.owned.delete(conn);
        this.conns.delete(conn.id);
        this.checkIdle();
    }
    /** Hangs up a connection no worker took: shutdown(SHUT_WR) reaches the client even if a stalled worker holds a copy. */
    drop(conn, reason) {
        if (conn.life.is('done', 'owned'))
            return;
        const index = this.queue.indexOf(conn);
        if (index !== -1)
            this.queue.splice(index, 1);
        this.finish(conn);
        this.counts.dropped++;
        this.supervisor.log.warn({ connectionId: conn.id, reason }, 'closing a connection no worker took');
        this.held--;
        this.gate.update(this.held);
        const { socket } = conn;
        socket.end(() => socket.destroy());
        setTimeout(() => socket.destroy(), 1000).unref();
        this.emitSafe('drop', { connectionId: conn.id, reason });
    }
}
/**
 * Starts a server on a named Unix socket whose connections are served by a
 * pool of worker processes; each worker module exports `connection(socket, ctx)`.
 * Resolves once the workers are ready and the socket listens.
 */
export function serve(options) {
    return SocketServer.open(options);
}
/** Validates serve's own options, and the supervisor's up front, before anything is touched or spawned. */
function resolveServeOptions(options) {
    if (options === null || typeof options !== 'object')
        invalid('options', 'an object', options);
    const { socket, mode = DEFAULT_MODE, handoffTimeout, queueTimeout, grace, backlog, ...supervisorOptions } = options;
    if (typeof socket !== 'string')
        invalid('socket', 'a path', socket);
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777 || (mode & 0o600) !== 0o600) {
        invalid('mode', 'permission bits from 0o600 to 0o777 that include owner read and write (0o600)', mode);
    }
    if (typeof backlog === 'number' && backlog > KERNEL_BACKLOG)
        invalid('backlog', `an integer from 1 to ${KERNEL_BACKLOG}`, backlog);
    resolveOptions(supervisorOptions);
    const settings = {
        path: resolveSocketPath(socket),
        mode,
        handoffTimeout: integerOption('handoffTimeout', handoffTimeout, 1, 1000),
        queueTimeout: integerOption('queueTimeout', queueTimeout, 0, 30_000),
        grace: integerOption('grace', grace, 0, 30_000),
        backlog: integerOption('backlog', backlog, 1, KERNEL_BACKLOG),
    };
    // a draining worker's open connections get `grace` ms before they are closed; its drain deadline comes after that
    const drainTimeout = supervisorOptions.drainTimeout ?? settings.grace + 5000;
    return { settings, supervisorOptions: { ...supervisorOptions, drainTimeout } };
}
//# sourceMappingURL=server.js.map