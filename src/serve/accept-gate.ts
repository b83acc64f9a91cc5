/*
 * The accept gate: stops accepting before the supervisor runs out of file
 * descriptors, and resumes when they come free, so that a burst larger than
 * the fd limit waits in the kernel's backlog instead of being dropped.
 *
 * Why not just let accept() fail: on EMFILE, libuv closes its spare
 * descriptor, then accepts and immediately closes every connection waiting in
 * the backlog (its "EMFILE trick"), silently; clients see EPIPE or a reset.
 * Node has no way to pause a listening handle either (readStop() does not
 * stop accepting). So the gate closes the listener itself, while a small
 * keeper process (keeper-main.ts) holds a duplicate of the socket: the kernel
 * socket and its backlog survive, and on resume the keeper sends the
 * descriptor back and a new listener takes it.
 *
 *   accepting ──held ≥ pauseAt──► paused ──held ≤ resumeAt──► resuming ──handle back──► accepting
 *                 (listener closed; the keeper holds the socket)
 *
 * `held` is the number of accepted connections whose descriptor the
 * supervisor still holds (queued or offered). The limits come from the soft
 * RLIMIT_NOFILE (/proc/self/limits) less the descriptors in use when the
 * server started listening and a reserve for worker restarts and reloads.
 * Where the limit cannot be read, the gate only reacts to EMFILE/ENFILE. The
 * keeper is started as soon as the server listens (where the limit is known):
 * a burst fills the fd table faster than a process starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SuperviseLogger } from '../supervisor/log.js';
import { Lifecycle, type Moves } from '../lifecycle.js';

type GateState = 'accepting' | 'paused' | 'resuming' | 'closed';

const GATE_MOVES: Moves<GateState> = {
  accepting: ['paused', 'closed'],
  paused: ['resuming', 'closed'],
  resuming: ['accepting', 'paused', 'closed'],
  closed: [],
};

const KEEPER = fileURLToPath(new URL('./keeper-main.js', import.meta.url));

export interface AcceptGateOptions {
  onConnection(socket: net.Socket): void;
  log: SuperviseLogger;
  backlog: number;
  /** Worker processes: each needs a few descriptors, twice as many during a reload. */
  workers: number;
  /** The keeper died while the listener was closed: the socket is gone and must be bound again. */
  onLost(): void;
}

/** The soft limit on open files, or Infinity where it cannot be read. */
export function readFdLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (!soft || soft === 'unlimited') return Infinity;
    return Number(soft) || Infinity;
  } catch {
    return Infinity;
  }
}

/** Descriptors open in this process now, or undefined where that cannot be read. */
export function countFds(): number | undefined {
  try {
    // the directory's own descriptor is among them
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

export class AcceptGate {
  /** The listener accepting now; undefined while paused. */
  server: net.Server | undefined;
  private readonly life = new Lifecycle<GateState>(GATE_MOVES, 'accepting');
  private keeper: ChildProcess | undefined;
  private keeperHolds = false;
  private pauseAt = Infinity;
  private resumeAt = Infinity;
  private held = 0;
  private pausedAt = 0;
  /** Times accepting stopped, in all. */
  pauses = 0;

  constructor(private readonly options: AcceptGateOptions) {
    this.server = this.createListener();
  }

  /** Accepting, or paused for want of descriptors; false once closed. */
  get open(): boolean {
    return !this.life.is('closed') && (this.paused || (this.server?.listening ?? false));
  }

  get paused(): boolean {
    return this.life.is('paused', 'resuming');
  }

  /** Call once the first listener listens: sets the thresholds from the fd limit and the descriptors in use. */
  arm(): void {
    const limit = readFdLimit();
    const inUse = countFds();
    if (limit === Infinity || inUse === undefined) return;
    const reserve = 32 + 8 * this.options.workers;
    this.setThresholds(Math.max(8, limit - inUse - reserve));
    // started now, not when needed: a burst fills the fd table faster than a process starts
    this.startKeeper();
  }

  private setThresholds(pauseAt: number): void {
    this.pauseAt = pauseAt;
    this.resumeAt = Math.floor(pauseAt / 2);
  }

  /** The number of connections whose descriptor the supervisor holds changed. */
  update(held: number): void {
    this.held = held;
    if (this.life.is('accepting')) {
      if (held >= this.pauseAt) this.pause();
    } else if (this.life.is('paused') && held <= this.resumeAt) {
      this.resume();
    }
  }

  /** accept() failed for want of descriptors anyway (the limit changed, or another part of the process took them). */
  onExhausted(): void {
    if (!this.life.is('accepting')) return;
    this.setThresholds(Math.max(8, this.held - 8));
    this.startKeeper();
    this.pause();
  }

  async close(): Promise<void> {
    if (!this.life.to('closed')) return;
    const server = this.server;
    this.server = undefined;
    if (server?.listening) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close's callback waits for connections handed out; the listener itself is closed at once
        setImmediate(resolve);
      });
    }
    // the keeper's duplicate keeps the kernel socket alive: closed means it has exited too
    const keeper = this.keeper;
    this.keeper = undefined;
    if (keeper && keeper.exitCode === null && keeper.signalCode === null) {
      const exited = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
      if (keeper.connected) keeper.disconnect();
      const kill = setTimeout(() => keeper.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(kill);
    }
  }

  private createListener(): net.Server {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.options.onConnection(socket));
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EMFILE' || error.code === 'ENFILE') this.onExhausted();
      else this.options.log.error({ err: error }, 'socket server error');
    });
    return server;
  }

  private startKeeper(): void {
    if (this.keeper || !this.server?.listening) return;
    const handle = (this.server as unknown as { _handle?: object })._handle;
    if (!handle) return;
    let keeper: ChildProcess;
    try {
      keeper = spawn(process.execPath, [KEEPER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not start the socket keeper; accepting cannot pause');
      return;
    }
    this.keeper = keeper;
    keeper.on('error', (error) => this.options.log.warn({ err: error }, 'socket keeper error'));
    keeper.on('message', (message: { keeper?: string }, received: unknown) => this.onKeeperMessage(message, received));
    keeper.on('exit', () => this.onKeeperExit(keeper));
    keeper.unref();
    (keeper.channel as { unref?: () => void } | undefined)?.unref?.();
    try {
      keeper.send({ keeper: 'hold' }, handle as never, undefined, () => {});
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not hand the socket to its keeper; accepting cannot pause');
    }
  }

  private onKeeperMessage(message: { keeper?: string }, received: unknown): void {
    if (message?.keeper === 'held') {
      this.keeperHolds = true;
      // the threshold may have been passed while the keeper started
      this.update(this.held);
      return;
    }
    if (message?.keeper === 'handle' && received && this.life.is('resuming')) this.listenOn(received);
  }

  private onKeeperExit(keeper: ChildProcess): void {
    if (this.keeper !== keeper) return;
    this.keeper = undefined;
    this.keeperHolds = false;
    if (this.life.is('paused', 'resuming')) {
      this.options.log.error('the socket keeper exited while accepting was paused: the listening socket is gone; binding it again');
      this.options.onLost();
    }
  }

  private pause(): void {
    if (!this.keeperHolds || !this.life.to('paused')) return;
    this.pauses++;
    this.pausedAt = Date.now();
    this.options.log.warn(
      { held: this.held, pauseAt: this.pauseAt },
      `stopped accepting: ${this.held} accepted connections wait for a worker and file descriptors are running out; new ones wait in the kernel's backlog until descriptors come free`,
    );
    const server = this.server;
    this.server = undefined;
    // libuv unlinks the name it bound (the temporary one, long gone) and closes our descriptor; the keeper's stays
    server?.close();
  }

  private resume(): void {
    if (!this.keeper?.connected || !this.life.to('resuming')) return;
    try {
      this.keeper.send({ keeper: 'give' }, undefined, undefined, () => {});
    } catch {
      this.life.to('paused');
    }
  }

  /** Takes the listening socket the keeper sent back: a new listener on it, as Node's cluster does with a handle from the primary. */
  private listenOn(handle: unknown): void {
    const server = this.createListener();
    const internal = server as unknown as { _handle: unknown; _listen2(address: null, port: number, addressType: number, backlog: number): void };
    internal._handle = handle;
    internal._listen2(null, -1, -1, this.options.backlog);
    this.server = server;
    this.life.to('accepting');
    this.options.log.info(
      { held: this.held, pausedMs: Date.now() - this.pausedAt },
      `accepting again after ${Date.now() - this.pausedAt} ms (${this.held} connections still waiting for a worker)`,
    );
    this.update(this.held);
  }
}
