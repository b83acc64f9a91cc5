/** The workers to kill at `now`, each with its order and reason. */
export function findVictims(workers, now, limits) {
    const victims = [];
    for (const worker of workers) {
        const { state } = worker;
        if (state === 'starting') {
            if (now - worker.startedAt > limits.startTimeout) {
                victims.push({ worker, order: 'start-timeout', reason: `it did not load its module within startTimeout (${limits.startTimeout} ms)` });
            }
            continue;
        }
        if (state !== 'ready' && state !== 'draining')
            continue;
        if (limits.heartbeatInterval > 0) {
            const silent = now - worker.lastBeat;
            if (silent > limits.heartbeatTimeout) {
                victims.push({ worker, order: 'heartbeat', reason: `no heartbeat for ${silent} ms (heartbeatTimeout ${limits.heartbeatTimeout} ms): its event loop is blocked` });
                continue;
            }
        }
        if (state === 'draining' && now - worker.stateSince > limits.drainTimeout) {
            const held = worker.load;
            victims.push({
                worker,
                order: 'drain-deadline',
                reason: `it was still draining after drainTimeout (${limits.drainTimeout} ms)${held > 0 ? ` with ${held} job${held === 1 ? '' : 's'} unfinished` : ''}`,
            });
        }
    }
    return victims;
}
//# sourceMappingURL=murder.js.map