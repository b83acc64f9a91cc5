import type { Job } from './job.js';
import type { WorkerHandle } from './worker-handle.js';
export declare function pumpInput(job: Job, worker: WorkerHandle, maxFrameSize: number): void;
