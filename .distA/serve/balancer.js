/*
 * Which worker gets the next connection: a pure function of the workers'
 * loads, with no timers, processes or sockets (tested alone, as Node's
 * round_robin_handle.js and piscina's balancer are).
 *
 *   not accepting (starting, draining, stalled, out of descriptors) → skipped
 *   `offered` at the window (hand-offs not yet acknowledged)        → skipped: saturated
 *   otherwise the fewest open + offered connections; ties go to the fewest
 *   served + offered, then to the first in the list
 *
 * Undefined when no worker can take a connection now: it waits in the queue.
 */
/**
 * At most this many hand-offs to one worker are unanswered at a time; more
 * connections wait in the supervisor's queue. Node sends descriptors one at a
 * time (each waits for the other side's NODE_HANDLE_ACK), so a deeper window
 * would only put connections in Node's send queue, where their hand-off
 * deadline runs out while they have not even left.
 */
export const OFFER_WINDOW = 8;
/** Least open connections among the workers that can take one now; undefined when none can. */
export function pickWorker(workers) {
    let best;
    for (const worker of workers) {
        if (!worker.accepting || worker.offered >= OFFER_WINDOW)
            continue;
        if (!best) {
            best = worker;
            continue;
        }
        const load = worker.open + worker.offered;
        const bestLoad = best.open + best.offered;
        if (load < bestLoad || (load === bestLoad && worker.served + worker.offered < best.served + best.offered))
            best = worker;
    }
    return best;
}
//# sourceMappingURL=balancer.js.map