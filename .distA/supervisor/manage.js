/** What to do so that the active workers plus scheduled restarts match `target`. */
export function planSize(workers, target, scheduledRestarts) {
    const active = [];
    for (const worker of workers) {
        if ((worker.state === 'starting' || worker.state === 'ready') && worker.replacedBy === undefined)
            active.push(worker);
    }
    const count = active.length + scheduledRestarts;
    if (count <= target)
        return { spawn: target - count, cancelRestarts: 0, retire: [] };
    const cancelRestarts = Math.min(scheduledRestarts, count - target);
    const excess = count - target - cancelRestarts;
    if (excess === 0)
        return { spawn: 0, cancelRestarts, retire: [] };
    // replacements of other workers are not retired: their old worker goes instead when they are ready
    const candidates = active.filter((w) => w.replaces === undefined).sort((a, b) => a.load - b.load);
    return { spawn: 0, cancelRestarts, retire: candidates.slice(0, excess) };
}
//# sourceMappingURL=manage.js.map