export type Outcome = 'cancel' | 'hand-back' | 'route-default' | 'unroutable' | 'fail';
export interface FailedRun {
    /** `code` of the error the run rejected with, if it has one. */
    code: string | undefined;
    /** The job's cancel signal had fired. */
    cancelled: boolean;
    /** The supervisor is closing, closed or failed: nothing more runs on this host. */
    hostStopping: boolean;
    /** The handler asked for was the default export. */
    triedDefault: boolean;
}
/** Decides what happens to the queue job after its run failed. */
export declare function decideOutcome(run: FailedRun): Outcome;
