import type { SupervisorOptions } from '../supervisor/options.js';
/** Host and port (plus anything else ioredis takes), or a redis:// or rediss:// URL. */
export type QueueConnection = string | {
    host?: string;
    port?: number;
    [option: string]: unknown;
};
export interface QueueWorkerOptions extends SupervisorOptions {
    /** Where Redis is. @default 'redis://127.0.0.1:6379' */
    connection?: QueueConnection;
    /**
     * Passed to BullMQ's `Worker` (lockDuration, stalledInterval, maxStalledCount, prefix, limiter, ...).
     * `concurrency`, `autorun` and `connection` are not: concurrency follows the pool, the worker starts
     * only once the pool is ready, and the connection comes from `connection`.
     * @example { lockDuration: 15_000, stalledInterval: 15_000 }
     */
    bullmq?: Record<string, unknown>;
}
export interface ResolvedQueueOptions {
    queue: string;
    connection: Record<string, unknown>;
    bullmq: Record<string, unknown>;
    supervisor: SupervisorOptions;
    /** The key prefix BullMQ uses, for the cancel channel. */
    prefix: string;
}
/** `redis://user:pass@host:6379/2` → ioredis options; the only place that reads Redis URLs. */
export declare function parseRedisUrl(text: string): Record<string, unknown>;
/** Validates createQueueWorker's arguments and splits them by who takes them. */
export declare function resolveQueueOptions(queue: unknown, options: QueueWorkerOptions): ResolvedQueueOptions;
