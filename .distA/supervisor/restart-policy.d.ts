export interface RestartPolicyOptions {
    maxRestarts: number;
    restartWindow: number;
    restartDelay: number;
    maxRestartDelay: number;
}
export declare class RestartPolicy {
    private readonly options;
    private readonly recent;
    private consecutive;
    private lastCrashAt;
    constructor(options: RestartPolicyOptions);
    /**
     * Records one unexpected exit. Returns the delay before the replacement
     * starts, or `undefined` when the restart intensity is exceeded.
     */
    recordCrash(now?: number): number | undefined;
    /** Restarts counted in the current window. */
    get restarts(): number;
}
