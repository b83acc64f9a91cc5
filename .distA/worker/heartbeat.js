// Periodic liveness report: a worker whose event loop is blocked stops sending these, and is killed.
import { monitorEventLoopDelay } from 'node:perf_hooks';
/** Calls `send` every `interval` ms with RSS and mean event-loop delay; returns a stop function. */
export function startHeartbeat(interval, send) {
    if (interval <= 0)
        return () => { };
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let rss = 0;
    const beat = () => {
        const loopDelay = Number.isNaN(delay.mean) ? 0 : delay.mean / 1e6;
        delay.reset();
        try {
            rss = process.memoryUsage.rss();
        }
        catch {
            // reading RSS needs a file descriptor (/proc/self/stat); with the fd table full, the last value stands and the beat still goes
        }
        send({ rss, loopDelay });
    };
    beat();
    const timer = setInterval(beat, interval);
    timer.unref();
    return () => {
        clearInterval(timer);
        delay.disable();
    };
}
//# sourceMappingURL=heartbeat.js.map