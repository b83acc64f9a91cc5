import type { WorkerHandle } from './worker-handle.js';
export interface SizePlan {
    spawn: number;
    cancelRestarts: number;
    retire: WorkerHandle[];
}
/** What to do so that the active workers plus scheduled restarts match `target`. */
export declare function planSize(workers: Iterable<WorkerHandle>, target: number, scheduledRestarts: number): SizePlan;
