/*
 * Every worker exit, classified and decided in one pure place, the way OTP
 * supervisors reason about child exits:
 *
 *   what happened (ExitFacts) ─classifyExit─► ExitCause ─decideExit(history)─► restart now │ restart after backoff │ fail the pool
 *
 * The rules:
 * - An exit the supervisor ordered (recycle, reload, resize, close, a timeout
 *   or cancel kill, a heartbeat kill of a busy worker, a drain deadline) is
 *   never counted against `maxRestarts`: the pool just returns to its size.
 * - A crash while jobs were in flight is charged to those jobs (each one's
 *   retry budget), not to the pool. Such replacements start at once; only when
 *   charged crashes come faster than `maxRestarts` per `restartWindow` do they
 *   back off, and they never fail the pool.
 * - Crashes nobody can blame on a job (a worker dying idle, dying before its
 *   hello again and again, killed from outside while starting) count toward
 *   the intensity limit: more than `maxRestarts` within `restartWindow` fails
 *   the pool, and each waits an exponential backoff.
 * - A module that reports it cannot load (or exits by itself before its
 *   hello) before any worker was ever ready halts the pool at once: restarting
 *   cannot help. After a worker was ready, it counts like any crash.
 * - A replacement started by reload() that fails to start is reload()'s
 *   business (it retries, then rejects with a ReloadError); the pool does not
 *   count it, and the worker it was to replace keeps serving.
 * - A spawn that fails for want of resources (EMFILE, ENFILE, EAGAIN, ENOMEM)
 *   is retried after backoff, uncounted, until the resources come back.
 */
export const EMPTY_HISTORY = { crashes: [], charged: [], consecutive: 0, lastCrashAt: -Infinity };
const TRANSIENT_SPAWN_ERRORS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']);
/** Signals a process raises on itself by faulting; any other signal before hello came from outside. */
const SELF_INFLICTED = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);
/** Orders given for a fault of the worker's own, judged like the exit they stand for. */
const FAULT_ORDERS = new Set(['heartbeat', 'start-timeout', 'protocol']);
/** Orders carried out with a shutdown frame: the worker is to exit by itself. */
const DRAIN_ORDERS = new Set(['recycle', 'reload', 'resize', 'close']);
/** Names what an exit was, from the facts alone. */
export function classifyExit(facts) {
    if (facts.spawnError !== undefined) {
        return { kind: 'spawn-failed', code: facts.spawnError, transient: TRANSIENT_SPAWN_ERRORS.has(facts.spawnError) };
    }
    // a worker told to drain that dies by a signal nobody here sent was killed from outside, not stopped
    const order = facts.order !== undefined && DRAIN_ORDERS.has(facts.order) && !facts.killed && facts.signal !== null ? undefined : facts.order;
    if (order !== undefined && !FAULT_ORDERS.has(order))
        return { kind: 'ordered', order };
    if (order === 'heartbeat') {
        // a busy worker blocked by its job: the job pays; an idle one blocked by the module itself: the pool counts it
        return facts.jobs > 0 ? { kind: 'ordered', order } : { kind: 'crash', jobs: 0 };
    }
    if (!facts.greeted) {
        // reload() retries its replacement a few times and then gives up with an error of its own; the old worker still serves
        if (facts.reloadReplacement)
            return { kind: 'reload-replacement-failed' };
        if (facts.bootReported || order !== undefined)
            return { kind: 'boot-error' };
        if (facts.signal !== null && !SELF_INFLICTED.has(facts.signal))
            return { kind: 'killed-while-starting', signal: facts.signal };
        return { kind: 'boot-error' };
    }
    return { kind: 'crash', jobs: facts.jobs };
}
/**
 * Decides what an exit means for the pool. Pure: the history goes in and the
 * updated history comes out, so it can be tested with any clock.
 */
export function decideExit(cause, history, context, options) {
    const { now } = context;
    const inWindow = (t) => now - t <= options.restartWindow;
    switch (cause.kind) {
        case 'ordered':
        case 'reload-replacement-failed':
            return { decision: { action: 'restart', delay: 0 }, history };
        case 'spawn-failed':
            if (cause.transient)
                return backoff(history, now, options);
            return countCrash(history, now, context.everReady, options, inWindow);
        case 'boot-error':
            return countCrash(history, now, context.everReady, options, inWindow);
        case 'killed-while-starting':
            return countCrash(history, now, true, options, inWindow);
        case 'crash': {
            if (cause.jobs === 0)
                return countCrash(history, now, true, options, inWindow);
            const charged = [...history.charged.filter(inWindow), now];
            if (charged.length <= options.maxRestarts)
                return { decision: { action: 'restart', delay: 0 }, history: { ...history, charged } };
            // jobs are crashing workers faster than the intensity allows: slow the respawns down, but never fail the pool for them
            const next = backoff({ ...history, charged }, now, options);
            return next;
        }
    }
}
/** A crash nobody can blame on a job: counted toward the intensity limit, then backed off. */
function countCrash(history, now, everReady, options, inWindow) {
    if (!everReady)
        return { decision: { action: 'fail' }, history };
    const crashes = [...history.crashes.filter(inWindow), now];
    if (crashes.length > options.maxRestarts)
        return { decision: { action: 'fail' }, history: { ...history, crashes } };
    return backoff({ ...history, crashes }, now, options);
}
/** The next exponential backoff delay; it starts over once the pool was stable for a while. */
function backoff(history, now, options) {
    const { restartDelay, maxRestartDelay } = options;
    const stable = now - history.lastCrashAt > Math.max(maxRestartDelay * 2, 10_000);
    const consecutive = stable ? 0 : history.consecutive;
    const delay = Math.min(restartDelay * 2 ** consecutive, maxRestartDelay);
    return { decision: { action: 'restart', delay }, history: { ...history, consecutive: consecutive + 1, lastCrashAt: now } };
}
/** Counted crashes within the window at `now`, for messages and stats. */
export function recentCrashes(history, now, restartWindow) {
    return history.crashes.filter((t) => now - t <= restartWindow).length;
}
//# sourceMappingURL=exit-policy.js.map