/** Why the supervisor itself stopped or killed a worker. */
export type StopOrder = 'recycle' | 'reload' | 'resize' | 'close' | 'destroy' | 'failed'
/** a timed-out or cancelled job that did not yield within killGrace */
 | 'cancel' | 'heartbeat' | 'drain-deadline' | 'start-timeout' | 'protocol';
/** What is known when a worker process has ended. */
export interface ExitFacts {
    /** The worker said hello: its module loaded. */
    greeted: boolean;
    /** The module sent a boot-error frame. */
    bootReported: boolean;
    /** The supervisor's reason for stopping it, if it gave one. */
    order: StopOrder | undefined;
    /** The supervisor sent it a kill signal (not only a shutdown frame). */
    killed: boolean;
    /** Set when the process could not be spawned: the errno code (EMFILE, ENOENT, ...). */
    spawnError: string | undefined;
    exitCode: number | null;
    signal: string | null;
    /** Jobs it was running when it died. */
    jobs: number;
    /** It was started by reload() to replace a worker, which keeps serving if this one fails. */
    reloadReplacement: boolean;
}
export type ExitCause = {
    kind: 'ordered';
    order: StopOrder;
} | {
    kind: 'crash';
    jobs: number;
} | {
    kind: 'boot-error';
} | {
    kind: 'reload-replacement-failed';
} | {
    kind: 'killed-while-starting';
    signal: string;
} | {
    kind: 'spawn-failed';
    code: string;
    transient: boolean;
};
export type ExitDecision = {
    action: 'restart';
    delay: number;
} | {
    action: 'fail';
};
export interface ExitHistory {
    /** Times of counted crashes within the window. */
    readonly crashes: readonly number[];
    /** Times of crashes charged to jobs within the window. */
    readonly charged: readonly number[];
    /** Crashes since the pool was last stable, for the backoff. */
    readonly consecutive: number;
    readonly lastCrashAt: number;
}
export interface ExitPolicyOptions {
    maxRestarts: number;
    restartWindow: number;
    restartDelay: number;
    maxRestartDelay: number;
}
export declare const EMPTY_HISTORY: ExitHistory;
/** Names what an exit was, from the facts alone. */
export declare function classifyExit(facts: ExitFacts): ExitCause;
/**
 * Decides what an exit means for the pool. Pure: the history goes in and the
 * updated history comes out, so it can be tested with any clock.
 */
export declare function decideExit(cause: ExitCause, history: ExitHistory, context: {
    now: number;
    everReady: boolean;
}, options: ExitPolicyOptions): {
    decision: ExitDecision;
    history: ExitHistory;
};
/** Counted crashes within the window at `now`, for messages and stats. */
export declare function recentCrashes(history: ExitHistory, now: number, restartWindow: number): number;
