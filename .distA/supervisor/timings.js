/*
 * Job timing over a sliding window: the last WINDOW timed jobs' wait (queued →
 * dispatched) and run (dispatched → settled) times in two ring buffers (every
 * job while job:done is listened to, else one in 16), so
 * recording costs two array writes; percentiles are computed only when
 * stats() asks. Utilisation is the busy slot time of those jobs over the slot
 * time the pool offered while they ran.
 */
const WINDOW = 1024;
export class JobTimings {
    waits = new Float64Array(WINDOW);
    runs = new Float64Array(WINDOW);
    ends = new Float64Array(WINDOW);
    /** How many jobs each entry stands for (1, or the sampling rate when only some jobs are timed). */
    weights = new Float64Array(WINDOW);
    next = 0;
    count = 0;
    record(waitMs, runMs, now, weight = 1) {
        const at = this.next;
        this.weights[at] = weight;
        this.waits[at] = waitMs;
        this.runs[at] = runMs;
        this.ends[at] = now;
        this.next = (at + 1) % WINDOW;
        if (this.count < WINDOW)
            this.count++;
    }
    stats(now, slots) {
        const n = this.count;
        const waits = this.waits.slice(0, n).sort();
        const runs = this.runs.slice(0, n).sort();
        let busy = 0;
        let since = now;
        for (let i = 0; i < n; i++) {
            busy += this.runs[i] * this.weights[i];
            since = Math.min(since, this.ends[i] - this.runs[i]);
        }
        const span = (now - since) * slots;
        return { wait: percentiles(waits), run: percentiles(runs), utilisation: span > 0 ? Math.min(1, busy / span) : 0, jobs: n };
    }
}
function percentiles(sorted) {
    const n = sorted.length;
    if (n === 0)
        return { p50: 0, p90: 0, p99: 0, max: 0 };
    const at = (q) => round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]);
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[n - 1]) };
}
const round = (ms) => Math.round(ms * 1000) / 1000;
//# sourceMappingURL=timings.js.map