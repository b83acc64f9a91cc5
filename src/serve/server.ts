/*
 * `serve()`: a named Unix socket in front of the worker pool. The supervisor
 * accepts each client connection without reading a byte (pauseOnConnect) and
 * passes its file descriptor to a worker over that worker's Node IPC channel
 * (SCM_RIGHTS); the worker then talks to the client directly. The pool itself
 * is an ordinary Supervisor: hello and heartbeats still travel on each
 * worker's fd-3 socketpair, and crashes, backoff, crash-loop limits and
 * rolling reloads are the Supervisor's.
 *
 *   client ─connect─► net.Server (paused) ─► least open connections ─► child.send(conn, socket)
 *                                                                        │ keepOpen: our copy stays
 *   accepted ◄──────────────────────────────────────────────────────────┤ → our copy is closed
 *   refused / no answer by the deadline ─► next worker, or hang up ◄─────┘
 *   closed ◄── worker: its count drops
 *
 * The supervisor keeps its own descriptor until a worker accepts, so a worker
 * that dies or stalls before accepting cannot lose the connection: it is
 * handed to another worker, or (none left) closed, and never left hanging.
 */
import net from 'node:net';
import { SupervisorClosedError } from '../errors.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption, invalid, resolveOptions, type SupervisorOptions } from '../supervisor/options.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { WorkerHandle } from '../supervisor/worker-handle.js';
import { isFromWorker, type FromWorker, type ToWorker } from './messages.js';
import { DEFAULT_MODE, formatMode, listenOnPath, prepareSocketPath, removeSocketFile, resolveSocketPath, SocketPathError, type SocketIdentity } from './socket-path.js';

export interface ServeOptions extends SupervisorOptions {
  /** Path of the Unix socket to listen on. */
  socket: string;
  /** Permission bits of the socket file; must include owner read and write. 0o660 lets the group connect. @default 0o600 */
  mode?: number;
  /** ms a worker has to acknowledge a handed-off connection before it goes to another worker. @default 1000 */
  handoffTimeout?: number;
  /** ms an accepted connection may wait for a ready worker (all restarting) before it is closed. @default 30000 */
  queueTimeout?: number;
  /** ms open connections get to finish on close() and on reload before they are closed. @default 30000 */
  grace?: number;
  /** listen() backlog. @default 511 */
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
}

export interface ServeStats {
  /** Connections accepted on the socket. */
  accepted: number;
  /** Connections a worker acknowledged. */
  handedOff: number;
  /** Hand-offs a worker did not acknowledge in time. */
  handoffTimeouts: number;
  /** Hand-offs a worker refused (late, draining) or that failed to send. */
  refused: number;
  /** Connections closed without any worker taking them. */
  dropped: number;
  /** Connections open in workers now. */
  open: number;
  /** Connections waiting for a ready worker. */
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
interface Slot {
  handle: WorkerHandle;
  open: Set<number>;
  pending: Set<number>;
  served: number;
  drainTimer: NodeJS.Timeout | undefined;
}

/** An accepted connection that no worker has taken yet; `socket` is the supervisor's own (paused) copy. */
interface Conn {
  id: number;
  socket: net.Socket;
  slot: Slot | undefined;
  tried: Set<number>;
  timer: NodeJS.Timeout | undefined;
  queueTimer: NodeJS.Timeout | undefined;
}

/** After the deadline, how long to wait for an acknowledgement that may already be on its way. */
const ACK_MARGIN = 100;

export class SocketServer extends TypedEmitter<ServeEvents> {
  /** The worker pool; `supervisor.run()` still runs jobs on the same workers. */
  readonly supervisor: Supervisor;
  private readonly server: net.Server;
  private readonly slots = new Map<number, Slot>();
  private readonly conns = new Map<number, Conn>();
  private readonly queue: Conn[] = [];
  private readonly counts = { accepted: 0, handedOff: 0, handoffTimeouts: 0, refused: 0, dropped: 0 };
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

  private constructor(settings: ServeSettings, supervisorOptions: SupervisorOptions) {
    super();
    this.socketPath = settings.path;
    this.modeValue = settings.mode;
    this.handoffTimeout = settings.handoffTimeout;
    this.queueTimeout = settings.queueTimeout;
    this.grace = settings.grace;
    this.backlog = settings.backlog;
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
    this.server.on('error', (error) => this.supervisor.log.error({ err: error }, 'socket server error'));
    this.supervisor = new Supervisor(supervisorOptions, { ipc: true, onSpawn: (worker) => this.onSpawn(worker) });
    this.supervisor.on('worker:ready', () => this.pump());
    this.supervisor.on('worker:exit', (event) => this.onWorkerExit(event.workerId));
    this.supervisor.on('failed', (error) => this.onFailed(error));
  }

  /**
   * Validates the options, makes the path free (a stale socket is removed; a
   * live server or a non-socket is refused), starts the workers, and listens
   * once they are ready. Use `serve()`.
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
    return this.server.listening;
  }

  stats(): ServeStats {
    let open = 0;
    const workers: ServeWorkerStats[] = [];
    for (const [workerId, slot] of this.slots) {
      open += slot.open.size;
      workers.push({ workerId, pid: slot.handle.pid, state: slot.handle.state, open: slot.open.size, pending: slot.pending.size, served: slot.served });
    }
    return { ...this.counts, open, queued: this.queue.length, workers };
  }

  private async start(pathWarnings: string[]): Promise<void> {
    for (const warning of pathWarnings) this.supervisor.log.warn({ socket: this.socketPath }, warning);
    try {
      await this.supervisor.ready();
      // judged again at the bind: something may have appeared at the path while the workers started
      const { identity, warnings } = await listenOnPath(this.server, this.socketPath, this.modeValue, this.backlog);
      this.identity = identity;
      for (const warning of warnings) this.supervisor.log.warn({ socket: this.socketPath }, warning);
    } catch (error) {
      await this.supervisor.destroy();
      throw error;
    }
    this.supervisor.log.info(
      { socket: this.socketPath, mode: formatMode(this.modeValue), workers: this.supervisor.options.workers },
      `serving ${this.socketPath} (mode ${formatMode(this.modeValue)}) with ${this.supervisor.options.workers} workers`,
    );
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
    for (const conn of [...this.conns.values()]) this.drop(conn, 'the server is closing');
    for (const slot of this.slots.values()) this.sendTo(slot, { supervise: 'close-all' });
    await this.supervisor.close();
    this.emit('close');
  }

  private async stopListening(): Promise<void> {
    // unlinked first, while our listener still pins the socket's inode (so its number cannot have been reused),
    // and only if the path still holds that socket: one put there by someone else, or a file, is left alone
    if (this.identity && !(await removeSocketFile(this.socketPath, this.identity)) && this.server.listening) {
      this.supervisor.log.warn({ socket: this.socketPath }, `${this.socketPath} is no longer this server's socket (removed or replaced); leaving it alone`);
    }
    this.identity = undefined;
    if (this.server.listening) {
      // libuv unlinks the name it bound as it closes: the temporary name, gone since the socket was moved into place
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        // close's callback waits for connections handed to workers; the listener itself is closed at once
        setImmediate(resolve);
      });
    }
  }

  private idle(): boolean {
    if (this.conns.size > 0) return false;
    for (const slot of this.slots.values()) if (slot.open.size > 0 || slot.pending.size > 0) return false;
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.idle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  // ── workers ────────────────────────────────────────────────────────

  private onSpawn(handle: WorkerHandle): void {
    const slot: Slot = { handle, open: new Set(), pending: new Set(), served: 0, drainTimer: undefined };
    this.slots.set(handle.id, slot);
    const child = handle.child;
    child.on('message', (message: unknown) => {
      if (isFromWorker(message)) this.onWorkerMessage(slot, message);
    });
    // sends always pass a callback, so this only catches what Node reports on its own
    child.on('error', (error) => this.supervisor.log.debug({ err: error, workerId: handle.id }, 'worker IPC error'));
  }

  private onWorkerMessage(slot: Slot, message: FromWorker): void {
    switch (message.supervise) {
      case 'accepted': {
        const conn = this.conns.get(message.id);
        if (!conn || conn.slot !== slot) {
          this.supervisor.log.error({ connectionId: message.id, workerId: slot.handle.id }, 'a worker accepted a connection after its hand-off was given up');
          return;
        }
        this.settle(conn);
        slot.pending.delete(conn.id);
        slot.open.add(conn.id);
        slot.served++;
        this.counts.handedOff++;
        // the worker holds its own descriptor now; closing ours (no shutdown) leaves the connection to it
        conn.socket.destroy();
        this.emit('handoff', { connectionId: conn.id, workerId: slot.handle.id, pid: slot.handle.pid });
        return;
      }
      case 'refused': {
        const conn = this.conns.get(message.id);
        if (!conn || conn.slot !== slot) return;
        this.counts.refused++;
        this.supervisor.log.debug({ connectionId: conn.id, workerId: slot.handle.id, reason: message.reason }, 'worker refused a connection');
        slot.pending.delete(conn.id);
        conn.slot = undefined;
        clearTimeout(conn.timer);
        this.dispatch(conn);
        return;
      }
      case 'closed':
        slot.open.delete(message.id);
        this.checkIdle();
        return;
      case 'draining':
        // the worker got its shutdown frame with connections open: they get `grace` ms
        if (this.closingAll) this.sendTo(slot, { supervise: 'close-all' });
        else if (!slot.drainTimer) {
          slot.drainTimer = setTimeout(() => this.sendTo(slot, { supervise: 'close-all' }), this.grace);
          slot.drainTimer.unref();
        }
        return;
    }
  }

  private onWorkerExit(workerId: number): void {
    const slot = this.slots.get(workerId);
    if (!slot) return;
    this.slots.delete(workerId);
    clearTimeout(slot.drainTimer);
    // its open connections died with it (it held the only descriptors); those not yet accepted are still ours
    for (const id of slot.pending) {
      const conn = this.conns.get(id);
      if (!conn || conn.slot !== slot) continue;
      clearTimeout(conn.timer);
      conn.slot = undefined;
      this.dispatch(conn);
    }
    this.checkIdle();
  }

  private onFailed(error: Error): void {
    this.supervisor.log.error({ err: error }, 'the worker pool failed; closing the socket');
    this.closingAll = true;
    void this.stopListening().then(() => {
      for (const conn of [...this.conns.values()]) this.drop(conn, 'the worker pool failed');
      if (this.listenerCount('failed') > 0) this.emit('failed', error);
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
    const conn: Conn = { id: this.nextConnId++, socket, slot: undefined, tried: new Set(), timer: undefined, queueTimer: undefined };
    this.conns.set(conn.id, conn);
    this.dispatch(conn);
  }

  /** Sends the connection to the least-loaded ready worker it was not tried on; queues it, or hangs up. */
  private dispatch(conn: Conn): void {
    if (this.closingAll) return this.drop(conn, 'the server is closing');
    let best: Slot | undefined;
    let anyReady = false;
    for (const slot of this.slots.values()) {
      if (slot.handle.state !== 'ready' || !slot.handle.child.connected) continue;
      anyReady = true;
      if (conn.tried.has(slot.handle.id)) continue;
      if (!best || load(slot) < load(best) || (load(slot) === load(best) && slot.served + slot.pending.size < best.served + best.pending.size)) best = slot;
    }
    if (!best) {
      if (anyReady) return this.drop(conn, `no worker took it (tried ${conn.tried.size})`);
      return this.enqueue(conn);
    }
    const slot = best;
    conn.slot = slot;
    conn.tried.add(slot.handle.id);
    slot.pending.add(conn.id);
    const deadline = Date.now() + this.handoffTimeout;
    const message: ToWorker = { supervise: 'conn', id: conn.id, deadline };
    const failed = (error: Error) => {
      if (conn.slot !== slot) return;
      this.supervisor.log.debug({ err: error, connectionId: conn.id, workerId: slot.handle.id }, 'could not pass the connection to the worker');
      this.counts.refused++;
      slot.pending.delete(conn.id);
      conn.slot = undefined;
      clearTimeout(conn.timer);
      this.dispatch(conn);
    };
    // keepOpen: our descriptor stays open until the worker acknowledges, so the connection survives a worker that never does
    try {
      slot.handle.child.send(message, conn.socket, { keepOpen: true }, (error) => {
        if (error) failed(error);
      });
    } catch (error) {
      return failed(error as Error);
    }
    // the ack timer fires a margin after the deadline, and decides only after this turn's I/O (an ack already received) is handled
    conn.timer = setTimeout(() => setImmediate(() => this.onHandoffTimeout(conn, slot)), this.handoffTimeout + ACK_MARGIN);
  }

  private onHandoffTimeout(conn: Conn, slot: Slot): void {
    if (conn.slot !== slot || !this.conns.has(conn.id)) return;
    this.counts.handoffTimeouts++;
    this.supervisor.log.warn(
      { connectionId: conn.id, workerId: slot.handle.id, pid: slot.handle.pid, handoffTimeout: this.handoffTimeout },
      'worker did not acknowledge a connection in time; handing it to another worker',
    );
    slot.pending.delete(conn.id);
    conn.slot = undefined;
    this.dispatch(conn);
  }

  private enqueue(conn: Conn): void {
    this.queue.push(conn);
    if (!conn.queueTimer) {
      conn.queueTimer = setTimeout(() => {
        const index = this.queue.indexOf(conn);
        if (index !== -1) this.queue.splice(index, 1);
        if (this.conns.has(conn.id) && !conn.slot) this.drop(conn, `no worker was ready within queueTimeout (${this.queueTimeout} ms)`);
      }, this.queueTimeout);
    }
  }

  /** Hands queued connections to workers that became ready. */
  private pump(): void {
    while (this.queue.length > 0) {
      const ready = [...this.slots.values()].some((slot) => slot.handle.state === 'ready' && slot.handle.child.connected);
      if (!ready) return;
      const conn = this.queue.shift()!;
      if (!this.conns.has(conn.id)) continue;
      clearTimeout(conn.queueTimer);
      conn.queueTimer = undefined;
      this.dispatch(conn);
    }
  }

  /** Forgets a connection the supervisor no longer holds for anyone. */
  private settle(conn: Conn): void {
    clearTimeout(conn.timer);
    clearTimeout(conn.queueTimer);
    this.conns.delete(conn.id);
    const index = this.queue.indexOf(conn);
    if (index !== -1) this.queue.splice(index, 1);
    this.checkIdle();
  }

  /** Hangs up a connection no worker took: shutdown(SHUT_WR) reaches the client even if a stalled worker holds a copy. */
  private drop(conn: Conn, reason: string): void {
    if (conn.slot) conn.slot.pending.delete(conn.id);
    conn.slot = undefined;
    this.settle(conn);
    this.counts.dropped++;
    this.supervisor.log.warn({ connectionId: conn.id, reason }, 'closing a connection no worker took');
    const { socket } = conn;
    socket.end(() => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
    if (this.listenerCount('drop') > 0) this.emit('drop', { connectionId: conn.id, reason });
  }
}

function load(slot: Slot): number {
  return slot.open.size + slot.pending.size;
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
  resolveOptions(supervisorOptions);
  const settings = {
    path: resolveSocketPath(socket),
    mode,
    handoffTimeout: integerOption('handoffTimeout', handoffTimeout, 1, 1000),
    queueTimeout: integerOption('queueTimeout', queueTimeout, 0, 30_000),
    grace: integerOption('grace', grace, 0, 30_000),
    backlog: integerOption('backlog', backlog, 1, 511),
  };
  // a draining worker's open connections get `grace` ms before they are closed; its drain deadline comes after that
  const drainTimeout = supervisorOptions.drainTimeout ?? settings.grace + 5000;
  return { settings, supervisorOptions: { ...supervisorOptions, drainTimeout } };
}
