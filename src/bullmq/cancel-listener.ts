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

export interface CancelListener {
  /** Resolves once subscribed; rejects when stopped first. */
  ready: Promise<void>;
  /** Ends the subscription, or the attempt at one: a Redis that does not answer must not hold up close(). */
  stop(): void;
}

/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else); the driver
 * resubscribes by itself after a reconnect. stop() works at once, even while the subscription is still
 * waiting for Redis.
 */
export function listenForCancels(worker: Worker, channel: string, log: Logger): CancelListener {
  let subscriber: Subscriber | undefined;
  let stopped = false;
  const ready = (async () => {
    const client = (await worker.getBackend().client) as unknown as { duplicate(): Subscriber };
    if (stopped) throw new Error('the cancel listener was stopped before it subscribed');
    subscriber = client.duplicate();
    subscriber.on('error', (error) => log.debug({ err: error }, 'cancel channel: Redis connection error (reconnecting)'));
    subscriber.on('message', (_channel, text) => {
      const message = parseCancelMessage(text);
      if (message && worker.cancelJob(message.jobId, message.reason)) log.info({ queueJobId: message.jobId }, 'queue job cancelled');
    });
    await subscriber.subscribe(channel);
  })();
  return {
    ready,
    stop: () => {
      stopped = true;
      subscriber?.disconnect();
    },
  };
}
