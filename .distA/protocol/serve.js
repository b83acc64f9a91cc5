/*
 * Serve mode's messages on the Node IPC channel (the worker's fd 4; the fd-3
 * socketpair keeps carrying hello, heartbeats and jobs). Every message has a
 * `supervise` field naming its kind, so a worker module's own process.send()
 * traffic is never mistaken for ours.
 *
 *   supervisor ── conn {id, offer, deadline} + the connection's fd (SCM_RIGHTS) ──► worker
 *   supervisor ◄── accepted {id, offer} | refused {id, offer, reason} ────────────── worker
 *   supervisor ◄── closed {id} (the connection ended in the worker) ───────── worker
 *   supervisor ◄── draining {open} (shutdown frame came, connections open) ── worker
 *   supervisor ── close-all (drain grace is over: end your connections) ───► worker
 *
 * A worker accepts a connection only while `Date.now() <= deadline` (one
 * machine, one clock); past it the supervisor may have given the connection
 * to another worker, so a late worker refuses and closes its copy unread.
 * A connection may be offered more than once (to the same worker too, after
 * a hand-off timed out); `offer` numbers the tries, and the answers carry it,
 * so a refusal of an earlier copy is never taken for an answer to the current
 * one. A worker that already holds a connection refuses another copy of it.
 */
const TO_WORKER = new Set(['conn', 'close-all']);
const FROM_WORKER = new Set(['accepted', 'refused', 'closed', 'draining']);
function kindOf(message) {
    return message !== null && typeof message === 'object' ? message.supervise : undefined;
}
export function isToWorker(message) {
    return TO_WORKER.has(kindOf(message));
}
export function isFromWorker(message) {
    return FROM_WORKER.has(kindOf(message));
}
//# sourceMappingURL=serve.js.map