/*
 * When to replace a dead worker, and when to give up. Like OTP's supervisor
 * intensity/period: more than `maxRestarts` unexpected exits within
 * `restartWindow` ms means the pool is crash-looping, and restarting more
 * would only feed the loop. Replacements wait an exponential backoff
 * (`restartDelay` doubling up to `maxRestartDelay`) that resets once the pool
 * has been stable for a while.
 */
export class RestartPolicy {
    options;
    recent = [];
    consecutive = 0;
    lastCrashAt = 0;
    constructor(options) {
        this.options = options;
    }
    /**
     * Records one unexpected exit. Returns the delay before the replacement
     * starts, or `undefined` when the restart intensity is exceeded.
     */
    recordCrash(now = Date.now()) {
        const { maxRestarts, restartWindow, restartDelay, maxRestartDelay } = this.options;
        while (this.recent.length > 0 && now - this.recent[0] > restartWindow)
            this.recent.shift();
        this.recent.push(now);
        if (this.recent.length > maxRestarts)
            return undefined;
        // stable for a whole backoff cap since the last crash: start the backoff over
        if (now - this.lastCrashAt > Math.max(maxRestartDelay * 2, 10_000))
            this.consecutive = 0;
        this.lastCrashAt = now;
        const delay = Math.min(restartDelay * 2 ** this.consecutive, maxRestartDelay);
        this.consecutive++;
        return delay;
    }
    /** Restarts counted in the current window. */
    get restarts() {
        return this.recent.length;
    }
}
//# sourceMappingURL=restart-policy.js.map