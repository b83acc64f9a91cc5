/** ms between two summaries of a repeating error. */
export const ERROR_SUMMARY_INTERVAL = 30_000;
/** Returns a function that logs `error` as a warning, throttled by its code (or message). */
export function createErrorThrottle(log, prefix, interval = ERROR_SUMMARY_INTERVAL) {
    const seen = new Map();
    const summarise = (key, message) => {
        const entry = seen.get(key);
        if (!entry)
            return;
        if (entry.repeats === 0) {
            seen.delete(key);
            return;
        }
        log.warn(`${prefix}: ${message} (${entry.repeats} more time${entry.repeats === 1 ? '' : 's'} in ${Math.round(interval / 1000)} s)`);
        entry.repeats = 0;
        entry.timer = setTimeout(summarise, interval, key, message).unref();
    };
    return (error) => {
        const code = error.code;
        const key = typeof code === 'string' ? code : error.message;
        const entry = seen.get(key);
        if (entry) {
            entry.repeats++;
            return;
        }
        // a system error (ECONNREFUSED, ETIMEDOUT, …) says all in its message; anything else keeps its details
        const systemError = typeof code === 'string' && /^E[A-Z]+$/.test(code);
        const message = systemError ? `${error.message} (BullMQ reconnects by itself)` : error.message;
        if (systemError)
            log.warn({ code }, `${prefix}: ${message}`);
        else
            log.warn({ err: error }, `${prefix}: ${message}`);
        seen.set(key, { repeats: 0, timer: setTimeout(summarise, interval, key, message).unref() });
    };
}
//# sourceMappingURL=error-throttle.js.map