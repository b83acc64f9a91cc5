import type { StopOrder } from './exit-policy.js';
import type { ResolvedOptions } from './options.js';
import type { WorkerHandle } from './worker-handle.js';
export interface Victim {
    worker: WorkerHandle;
    order: StopOrder;
    reason: string;
}
type Limits = Pick<ResolvedOptions, 'startTimeout' | 'heartbeatInterval' | 'heartbeatTimeout' | 'drainTimeout'>;
/** The workers to kill at `now`, each with its order and reason. */
export declare function findVictims(workers: Iterable<WorkerHandle>, now: number, limits: Limits): Victim[];
export {};
