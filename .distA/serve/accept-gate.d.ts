import net from 'node:net';
import type { Logger } from 'pino';
export interface AcceptGateOptions {
    onConnection(socket: net.Socket): void;
    log: Logger;
    backlog: number;
    /** Worker processes: each needs a few descriptors, twice as many during a reload. */
    workers: number;
    /** The keeper died while the listener was closed: the socket is gone and must be bound again. */
    onLost(): void;
}
/** The soft limit on open files, or Infinity where it cannot be read. */
export declare function readFdLimit(): number;
/** Descriptors open in this process now, or undefined where that cannot be read. */
export declare function countFds(): number | undefined;
export declare class AcceptGate {
    private readonly options;
    /** The listener accepting now; undefined while paused. */
    server: net.Server | undefined;
    private readonly life;
    private keeper;
    private keeperHolds;
    private pauseAt;
    private resumeAt;
    private held;
    private pausedAt;
    /** Times accepting stopped, in all. */
    pauses: number;
    constructor(options: AcceptGateOptions);
    /** Accepting, or paused for want of descriptors; false once closed. */
    get open(): boolean;
    get paused(): boolean;
    /** Call once the first listener listens: sets the thresholds from the fd limit and the descriptors in use. */
    arm(): void;
    private setThresholds;
    /** The number of connections whose descriptor the supervisor holds changed. */
    update(held: number): void;
    /** accept() failed for want of descriptors anyway (the limit changed, or another part of the process took them). */
    onExhausted(): void;
    close(): Promise<void>;
    private createListener;
    private startKeeper;
    private onKeeperMessage;
    private onKeeperExit;
    private pause;
    private resume;
    /** Takes the listening socket the keeper sent back: a new listener on it, as Node's cluster does with a handle from the primary. */
    private listenOn;
}
