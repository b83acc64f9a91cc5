// The host side of cancelQueueJob(): a subscription to the queue's cancel channel that aborts the jobs this host runs.
import type { Worker } from 'bullmq';
import type { SuperviseLogger as Logger } from '../supervisor/log.js';
import { parseCancelMessage } from './cancel.js';

interface Subscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  disconnect(): void;
}

/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else); the driver
 * resubscribes by itself after a reconnect. Resolves with a function that ends the subscription.
 */
export async function listenForCancels(worker: Worker, channel: string, log: Logger): Promise<() => void> {
  const client = (await worker.getBackend().client) as unknown as { duplicate(): Subscriber };
  const subscriber = client.duplicate();
  subscriber.on('error', (error) => log.debug({ err: error }, 'cancel channel: Redis connection error (reconnecting)'));
  subscriber.on('message', (_channel, text) => {
    const message = parseCancelMessage(text);
    if (message && worker.cancelJob(message.jobId, message.reason)) log.info({ queueJobId: message.jobId }, 'queue job cancelled');
  });
  await subscriber.subscribe(channel);
  return () => subscriber.disconnect();
}
