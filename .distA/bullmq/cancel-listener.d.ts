import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else); the driver
 * resubscribes by itself after a reconnect. Resolves with a function that ends the subscription.
 */
export declare function listenForCancels(worker: Worker, channel: string, log: Logger): Promise<() => void>;
