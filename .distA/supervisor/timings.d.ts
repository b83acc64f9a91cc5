export interface Percentiles {
    p50: number;
    p90: number;
    p99: number;
    max: number;
}
export interface TimingStats {
    /** ms from submission to the dispatch of the attempt that settled it, over the last jobs. */
    wait: Percentiles;
    /** ms from that dispatch to the answer. */
    run: Percentiles;
    /** Busy slot time over available slot time (workers × perWorker) since the oldest job in the window, 0 to 1. */
    utilisation: number;
    /** Timed jobs the figures are taken over (at most 1024; one job in 16 is timed unless job:done is listened to). */
    jobs: number;
}
export declare class JobTimings {
    private readonly waits;
    private readonly runs;
    private readonly ends;
    /** How many jobs each entry stands for (1, or the sampling rate when only some jobs are timed). */
    private readonly weights;
    private next;
    private count;
    record(waitMs: number, runMs: number, now: number, weight?: number): void;
    stats(now: number, slots: number): TimingStats;
}
