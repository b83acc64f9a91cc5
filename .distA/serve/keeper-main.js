/*
 * The socket keeper: a small child process of a serve supervisor that holds a
 * duplicate of the listening socket's descriptor, never accepting on it, so
 * that the supervisor can close its own listener (stop accepting) without the
 * kernel closing the socket and resetting the connections in its backlog.
 * When the supervisor wants to accept again, the keeper sends the descriptor
 * back over the IPC channel. It exits when that channel closes (the
 * supervisor stopped, or died).
 *
 *   supervisor ── { keeper: 'hold' } + the listening socket ──► keeper  (once)
 *   supervisor ◄── { keeper: 'held' } ───────────────────────── keeper
 *   supervisor ── { keeper: 'give' } ──────────────────────────► keeper  (on each resume)
 *   supervisor ◄── { keeper: 'handle' } + the listening socket ─ keeper
 */
let held;
process.on('message', (message, handle) => {
    const kind = message !== null && typeof message === 'object' ? message.keeper : undefined;
    if (kind === 'hold' && handle) {
        held = handle;
        process.send?.({ keeper: 'held' }, undefined, undefined, () => { });
    }
    else if (kind === 'give' && held) {
        // a raw handle has no postSend: it stays open here, for the next pause
        process.send?.({ keeper: 'handle' }, held, undefined, () => { });
    }
});
process.on('disconnect', () => process.exit(0));
// a send that races the supervisor's exit fails with EPIPE: the channel is closing, and so is the keeper
process.on('error', () => process.exit(0));
export {};
//# sourceMappingURL=keeper-main.js.map