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
import { isFromWorker, type FromWorker, type ToWorker } from '../protocol/serve.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption, invalid, resolveOptions, type SupervisorOptions } from '../supervisor/options.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { reportListenerError } from '../supervisor/log.js';
import type { WorkerHandle, WorkerState } from '../supervisor/worker-handle.js';
import { AcceptGate } from './accept-gate.js';
import { pickWorker, type BalancedWorker } from './balancer.js';
import { CONN_MOVES, type ConnState } from './connection-state.js';
import { DEFAULT_MODE, formatMode, listenOnPath, prepareSocketPath, removeSocketFile, removeSocketFileSync, resolveSocketPath, type SocketIdentity } from './socket-path.js';

/** The listen() backlog passed when none is given: above any somaxconn, so the kernel's net.core.somaxconn decides. */
export const KERNEL_BACKLOG = 0x7fffffff;

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
  state: WorkerState;
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
  handoff: [{ connectionId: number; workerId: number; pid: number | undefined }];
  /** A connection was closed without a worker taking it. */
  drop: [{ connectionId: number; reason: string }];
  /** The pool failed (boot error after start, crash loop): the server stopped accepting and closed. */
  failed: [Error];
  close: [];
}

/** A worker as serve mode sees it. */
class Slot implements BalancedWorker {
  /** Hand-offs sent and not answered yet. */
  readonly offers = new Set<Conn>();
  /** Connections it owns. */
  readonly owned = new Set<Conn>();
  served = 0;
  /** A hand-off timed out: no new offers until the worker says anything or heartbeats again. */
  stalled = false;
  stalledAt = 0;
  /** It could not receive a descriptor (its fd table is full): no new offers until one of its connections closes. */
  full = false;
  drainTimer: NodeJS.Timeout | undefined;

  constructor(readonly handle: WorkerHandle) {}

  get accepting(): boolean {
    return this.handle.state === 'ready' && this.handle.child.connected && !this.stalled && !this.full;
  }
  get open(): number {
    return this.owned.size;
  }
  get offered(): number {
    return this.offers.size;
  }
  get id(): number {
    return this.handle.id;
  }
}

/** An accepted connection; `socket` is the supervisor's own (paused, never read) copy, closed once a worker owns it. */
interface Conn {
  readonly id: number;
  readonly socket: net.Socket;
  readonly life: Lifecycle<ConnState>;
  /** The worker it is offered to or owned by. */
  worker: Slot | undefined;
  /** Epoch ms after which, still unserved, it is closed. */
  readonly queueDeadline: number;
  /** Offers made so far; the current one's number. */
  offers: number;
  offerTimer: NodeJS.Timeout | undefined;
  queueTimer: NodeJS.Timeout | undefined;
}

/** Why an offered connection came back. */
type ReleaseReason = 'handoff-timeout' | 'refused' | 'send-failed' | 'worker-exit';

/** After the deadline, how long to wait for an acknowledgement that may already be on its way. */
const ACK_MARGIN = 100;
/** A worker that could not receive a descriptor is offered connections again after this, even if none of its own closed. */
const FULL_RETRY_MS = 1000;
/** While a worker is stalled, how often its heartbeats are checked for a sign that it runs again. */
const STALL_CHECK_MS = 50;

export class SocketServer extends TypedEmitter<ServeEvents> {
  /** The worker pool; `supervisor.run()` still runs jobs on the same workers. */
  readonly supervisor: Supervisor;
  private gate: AcceptGate;
  /** Accepted connections whose descriptor the supervisor holds (queued or offered). */
  private held = 0;
  private readonly slots = new Map<number, Slot>();
  private readonly conns = new Map<number, Conn>();
  /** Connections waiting for a worker, oldest (and released ones) first. */
  private readonly queue: Conn[] = [];
  private readonly counts = { accepted: 0, handedOff: 0, handoffTimeouts: 0, refused: 0, requeued: 0, dropped: 0 };
  private readonly handoffTimeout: number;
  private readonly queueTimeout: number;
  private readonly grace: number;
  private readonly backlog: number;
  private readonly modeValue: number;
  private socketPath: string;
  private identity: SocketIdentity | undefined;
  private nextConnId = 1;
  private closing: Promise<void> | undefined;
  private closingAll = false;
  private reloading: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private stallCheck: NodeJS.Timeout | undefined;
  private readonly onExitBound = () => removeSocketFileSync(this.socketPath, this.identity);

  private constructor(settings: ServeSettings, supervisorOptions: SupervisorOptions) {
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
  static async open(options: ServeOptions): Promise<SocketServer> {
    const { settings, supervisorOptions } = resolveServeOptions(options);
    const { warnings } = await prepareSocketPath(settings.path);
    const server = new SocketServer(settings, supervisorOptions);
    await server.start(warnings);
    return server;
  }

  /** Where the server listens. */
  address(): ServeAddress {
    return { path: this.socketPath, mode: this.modeValue };
  }

  get path(): string {
    return this.socketPath;
  }

  get listening(): boolean {
    return this.gate.open;
  }

  stats(): ServeStats {
    let open = 0;
    const workers: ServeWorkerStats[] = [];
    for (const [workerId, slot] of this.slots) {
      open += slot.open;
      workers.push({ workerId, pid: slot.handle.pid, state: slot.handle.state, open: slot.open, pending: slot.offered, served: slot.served, stalled: slot.stalled });
    }
    return { ...this.counts, acceptPauses: this.gate.pauses, acceptPaused: this.gate.paused, open, queued: this.queue.length, workers };
  }

  private async start(pathWarnings: string[]): Promise<void> {
    for (const warning of pathWarnings) this.supervisor.log.warn({ socket: this.socketPath }, warning);
    try {
      await this.supervisor.ready();
      // judged again at the bind: something may have appeared at the path while the workers started
      await this.listen();
    } catch (error) {
      await this.supervisor.destroy();
      throw error;
    }
    // however the process ends (an uncaught error, process.exit()), the socket file goes with it if it is still ours
    process.on('exit', this.onExitBound);
    this.supervisor.log.info(
      { socket: this.socketPath, mode: formatMode(this.modeValue), workers: this.supervisor.options.workers },
      `serving ${this.socketPath} (mode ${formatMode(this.modeValue)}) with ${this.supervisor.options.workers} workers`,
    );
  }

  private createGate(): AcceptGate {
    return new AcceptGate({
      onConnection: (socket) => this.onConnection(socket),
      log: this.supervisor.log,
      backlog: this.backlog,
      workers: this.supervisor.options.workers,
      onLost: () => void this.relisten(),
    });
  }

  private async listen(): Promise<void> {
    const { identity, warnings } = await listenOnPath(this.gate.server!, this.socketPath, this.modeValue, this.backlog);
    this.identity = identity;
    for (const warning of warnings) this.supervisor.log.warn({ socket: this.socketPath }, warning);
    this.gate.arm();
  }

  /** The listening socket was lost (its keeper died while accepting was paused): bind the path again. */
  private async relisten(): Promise<void> {
    if (this.closing || this.closingAll) return;
    await this.gate.close();
    this.gate = this.createGate();
    try {
      await this.listen();
      this.gate.update(this.held);
    } catch (error) {
      this.supervisor.log.error({ err: error }, `cannot listen on ${this.socketPath} again`);
    }
  }

  /**
   * Rolling restart (SIGHUP): each worker is replaced by a fresh one that is
   * ready before the old one stops taking connections, so none is refused.
   * The old worker keeps its open connections until they end, or `grace` ms.
   */
  reload(): Promise<void> {
    if (this.closing) return Promise.reject(new SupervisorClosedError('The server is closing'));
    return (this.reloading ??= this.supervisor.reload().finally(() => {
      this.reloading = undefined;
    }));
  }

  /**
   * Graceful shutdown (SIGTERM): stops accepting and removes the socket file,
   * lets open connections finish for up to `grace` ms, closes the rest, then
   * stops the workers.
   */
  close(options: ServeCloseOptions = {}): Promise<void> {
    return (this.closing ??= this.closeNow(integerOption('grace', options.grace, 0, this.grace)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async closeNow(grace: number): Promise<void> {
    await this.stopListening();
    if (grace > 0 && !this.idle()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, grace))),
      ]);
      clearTimeout(timer);
    }
    this.closingAll = true;
    clearInterval(this.stallCheck);
    for (const conn of [...this.conns.values()]) if (!conn.life.is('owned')) this.drop(conn, 'the server is closing');
    for (const slot of this.slots.values()) this.sendTo(slot, { supervise: 'close-all' });
    await this.supervisor.close();
    process.off('exit', this.onExitBound);
    this.emitSafe('close');
  }

  private async stopListening(): Promise<void> {
    // unlinked first, while our listener still pins the socket's inode (so its number cannot have been reused),
    // and only if the path still holds that socket: one put there by someone else, or a file, is left alone
    if (this.identity && !(await removeSocketFile(this.socketPath, this.identity)) && this.gate.open) {
      this.supervisor.log.warn({ socket: this.socketPath }, `${this.socketPath} is no longer this server's socket (removed or replaced); leaving it alone`);
    }
    this.identity = undefined;
    // libuv unlinks the name it bound as it closes: the temporary name, gone since the socket was moved into place
    await this.gate.close();
  }

  private idle(): boolean {
    for (const conn of this.conns.values()) if (!conn.life.is('done')) return false;
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.idle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Emits an event; a listener that throws cannot break the server's own bookkeeping (see reportListenerError). */
  private emitSafe<K extends keyof ServeEvents & string>(event: K, ...args: ServeEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      reportListenerError(this.supervisor.options, this.supervisor.log, event, error);
    }
  }

  // ── workers ────────────────────────────────────────────────────────

  private onSpawn(handle: WorkerHandle): void {
    const slot = new Slot(handle);
    this.slots.set(handle.id, slot);
    const child = handle.child;
    child.on('message', (message: unknown) => {
      if (isFromWorker(message)) this.onWorkerMessage(slot, message);
    });
    // sends always pass a callback, so this only catches what Node reports on its own
    child.on('error', (error) => this.supervisor.log.debug({ err: error, workerId: handle.id }, 'worker IPC error'));
  }

  private onWorkerMessage(slot: Slot, message: FromWorker): void {
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
          this.supervisor.log.error(
            { connectionId: conn.id, workerId: slot.id, offeredTo: conn.worker?.id },
            'a worker accepted a connection after its hand-off was given up; it keeps it',
          );
        }
        this.own(conn, slot);
        break;
      }
      case 'refused': {
        const conn = this.conns.get(message.id);
        if (message.reason === 'no-handle') this.markFull(slot);
        // only an answer to the current offer counts: a refusal of an earlier copy says nothing about this one
        if (!conn || conn.worker !== slot || message.offer !== conn.offers || !conn.life.is('offered')) break;
        this.counts.refused++;
        this.supervisor.log.debug({ connectionId: conn.id, workerId: slot.id, reason: message.reason }, 'worker refused a connection');
        this.release(conn, 'refused');
        break;
      }
      case 'closed': {
        const conn = this.conns.get(message.id);
        slot.full = false;
        if (conn && conn.worker === slot && conn.life.is('owned')) this.finish(conn);
        break;
      }
      case 'draining':
        // the worker got its shutdown frame with connections open: they get `grace` ms
        if (this.closingAll) this.sendTo(slot, { supervise: 'close-all' });
        else if (!slot.drainTimer) {
          slot.drainTimer = setTimeout(() => this.sendTo(slot, { supervise: 'close-all' }), this.grace);
          slot.drainTimer.unref();
        }
        break;
    }
    if (wasStalled || this.queue.length > 0) this.pump();
  }

  /** A worker took the connection: it holds its own descriptor now, and ours is closed. */
  private own(conn: Conn, slot: Slot): void {
    if (!conn.life.to('owned')) return;
    clearTimeout(conn.offerTimer);
    clearTimeout(conn.queueTimer);
    conn.worker?.offers.delete(conn);
    const index = this.queue.indexOf(conn);
    if (index !== -1) this.queue.splice(index, 1);
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

  private markFull(slot: Slot): void {
    if (slot.full) return;
    slot.full = true;
    this.supervisor.log.warn(
      { workerId: slot.id, pid: slot.handle.pid, open: slot.open },
      `worker ${slot.id} could not receive a connection (its file descriptors are used up, with ${slot.open} connections open); no more go to it until one closes`,
    );
    setTimeout(() => {
      slot.full = false;
      this.pump();
    }, FULL_RETRY_MS).unref();
  }

  private onWorkerExit(workerId: number): void {
    const slot = this.slots.get(workerId);
    if (!slot) return;
    this.slots.delete(workerId);
    clearTimeout(slot.drainTimer);
    // its open connections died with it (it held the only descriptors); those not yet accepted are still ours
    for (const conn of slot.owned) this.finish(conn);
    for (const conn of [...slot.offers]) this.release(conn, 'worker-exit');
    this.checkIdle();
    this.pump();
  }

  private onFailed(error: Error): void {
    this.supervisor.log.error({ err: error }, 'the worker pool failed; closing the socket');
    this.closingAll = true;
    process.off('exit', this.onExitBound);
    void this.stopListening().then(() => {
      for (const conn of [...this.conns.values()]) if (!conn.life.is('owned')) this.drop(conn, 'the worker pool failed');
      this.emitSafe('failed', error);
    });
  }

  private sendTo(slot: Slot, message: ToWorker): void {
    const { child } = slot.handle;
    if (!child.connected) return;
    try {
      child.send(message, undefined, undefined, () => {});
    } catch {
      // the channel closed under us: the worker is exiting
    }
  }

  // ── connections ────────────────────────────────────────────────────

  private onConnection(socket: net.Socket): void {
    // our copy is only ever closed, never read or written; errors on it are of no interest
    socket.on('error', () => {});
    if (this.closing || this.closingAll) {
      socket.destroy();
      return;
    }
    this.counts.accepted++;
    const conn: Conn = {
      id: this.nextConnId++,
      socket,
      life: new Lifecycle<ConnState>(CONN_MOVES, 'queued'),
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
  private armQueueTimer(conn: Conn): void {
    if (conn.queueTimer) return;
    conn.queueTimer = setTimeout(() => {
      conn.queueTimer = undefined;
      // an offer still under way gets its answer (or its own timeout) first
      if (conn.life.is('queued')) this.drop(conn, `no worker took it within queueTimeout (${this.queueTimeout} ms)`);
    }, Math.max(0, conn.queueDeadline - Date.now()));
  }

  /** Offers queued connections, oldest first, to the workers the balancer picks, while any can take one. */
  private pump(): void {
    if (this.closingAll) return;
    while (this.queue.length > 0) {
      const slot = pickWorker(this.slots.values());
      if (!slot) return;
      const conn = this.queue.shift()!;
      if (conn.life.is('queued')) this.offer(conn, slot);
    }
  }

  private offer(conn: Conn, slot: Slot): void {
    conn.life.to('offered');
    conn.worker = slot;
    slot.offers.add(conn);
    const deadline = Date.now() + this.handoffTimeout;
    const message: ToWorker = { supervise: 'conn', id: conn.id, offer: ++conn.offers, deadline };
    const offer = conn.offers;
    const failed = (error: Error) => {
      if (conn.worker !== slot || conn.offers !== offer || !conn.life.is('offered')) return;
      this.supervisor.log.debug({ err: error, connectionId: conn.id, workerId: slot.id }, 'could not pass the connection to the worker');
      this.counts.refused++;
      this.release(conn, 'send-failed');
    };
    // the ack timer fires a margin after the deadline, and decides only after this turn's I/O (an ack already received) is handled
    conn.offerTimer = setTimeout(() => setImmediate(() => this.onHandoffTimeout(conn, slot, offer)), this.handoffTimeout + ACK_MARGIN);
    // keepOpen: our descriptor stays open until the worker acknowledges, so the connection survives a worker that never does
    try {
      slot.handle.child.send(message, conn.socket, { keepOpen: true }, (error) => {
        if (error) failed(error);
      });
    } catch (error) {
      failed(error as Error);
    }
  }

  private onHandoffTimeout(conn: Conn, slot: Slot, offer: number): void {
    if (conn.worker !== slot || conn.offers !== offer || !conn.life.is('offered')) return;
    this.counts.handoffTimeouts++;
    if (!slot.stalled) {
      slot.stalled = true;
      slot.stalledAt = Date.now();
      this.watchStalled();
      this.supervisor.log.warn(
        { connectionId: conn.id, workerId: slot.id, pid: slot.handle.pid, handoffTimeout: this.handoffTimeout },
        'worker did not acknowledge a connection in time; it gets no more until it answers, and the connection goes back to the head of the queue',
      );
    }
    this.release(conn, 'handoff-timeout');
  }

  /** A stalled worker whose heartbeats resumed runs again: it may be offered connections before it answers the late ones. */
  private watchStalled(): void {
    if (this.stallCheck) return;
    this.stallCheck = setInterval(() => {
      let stalled = 0;
      let woke = false;
      for (const slot of this.slots.values()) {
        if (!slot.stalled) continue;
        if (slot.handle.lastBeat > slot.stalledAt) {
          slot.stalled = false;
          woke = true;
        } else stalled++;
      }
      if (stalled === 0) {
        clearInterval(this.stallCheck);
        this.stallCheck = undefined;
      }
      if (woke) this.pump();
    }, STALL_CHECK_MS);
    this.stallCheck.unref();
  }

  /**
   * Takes an offered connection back from its worker and puts it at the head
   * of the queue, for the next worker that can take it (the same one, once it
   * answers again, included). Past its queue deadline, or while closing, it is
   * closed instead.
   */
  private release(conn: Conn, reason: ReleaseReason): void {
    const slot = conn.worker;
    if (!conn.life.to('queued')) return;
    clearTimeout(conn.offerTimer);
    conn.offerTimer = undefined;
    slot?.offers.delete(conn);
    conn.worker = undefined;
    if (this.closingAll) return this.drop(conn, 'the server is closing');
    if (Date.now() >= conn.queueDeadline) return this.drop(conn, `no worker took it within queueTimeout (${this.queueTimeout} ms); last try: ${reason}`);
    this.counts.requeued++;
    this.queue.unshift(conn);
    this.armQueueTimer(conn);
    this.pump();
  }

  /** The connection is over for us: its worker closed it or is gone. */
  private finish(conn: Conn): void {
    if (!conn.life.to('done')) return;
    clearTimeout(conn.offerTimer);
    clearTimeout(conn.queueTimer);
    conn.worker?.offers.delete(conn);
    conn.worker?.owned.delete(conn);
    this.conns.delete(conn.id);
    this.checkIdle();
  }

  /** Hangs up a connection no worker took: shutdown(SHUT_WR) reaches the client even if a stalled worker holds a copy. */
  private drop(conn: Conn, reason: string): void {
    if (conn.life.is('done', 'owned')) return;
    const index = this.queue.indexOf(conn);
    if (index !== -1) this.queue.splice(index, 1);
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
export function serve(options: ServeOptions): Promise<SocketServer> {
  return SocketServer.open(options);
}

interface ServeSettings {
  path: string;
  mode: number;
  handoffTimeout: number;
  queueTimeout: number;
  grace: number;
  backlog: number;
}

/** Validates serve's own options, and the supervisor's up front, before anything is touched or spawned. */
function resolveServeOptions(options: ServeOptions): { settings: ServeSettings; supervisorOptions: SupervisorOptions } {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const { socket, mode = DEFAULT_MODE, handoffTimeout, queueTimeout, grace, backlog, ...supervisorOptions } = options;
  if (typeof socket !== 'string') invalid('socket', 'a path', socket);
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777 || (mode & 0o600) !== 0o600) {
    invalid('mode', 'permission bits from 0o600 to 0o777 that include owner read and write (0o600)', mode);
  }
  if (typeof backlog === 'number' && backlog > KERNEL_BACKLOG) invalid('backlog', `an integer from 1 to ${KERNEL_BACKLOG}`, backlog);
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
