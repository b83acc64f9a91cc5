/** What the balancer needs to know about a worker. */
export interface BalancedWorker {
    /** Ready, connected, and neither stalled (a hand-off timed out) nor out of descriptors. */
    readonly accepting: boolean;
    /** Connections the worker holds now. */
    readonly open: number;
    /** Hand-offs sent to it and not yet answered. */
    readonly offered: number;
    /** Connections it took in all. */
    readonly served: number;
}
/**
 * At most this many hand-offs to one worker are unanswered at a time; more
 * connections wait in the supervisor's queue. Node sends descriptors one at a
 * time (each waits for the other side's NODE_HANDLE_ACK), so a deeper window
 * would only put connections in Node's send queue, where their hand-off
 * deadline runs out while they have not even left.
 */
export declare const OFFER_WINDOW = 8;
/** Least open connections among the workers that can take one now; undefined when none can. */
export declare function pickWorker<W extends BalancedWorker>(workers: Iterable<W>): W | undefined;
