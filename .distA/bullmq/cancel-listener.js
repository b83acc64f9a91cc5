import { parseCancelMessage } from './cancel.js';
/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else); the driver
 * resubscribes by itself after a reconnect. Resolves with a function that ends the subscription.
 */
export async function listenForCancels(worker, channel, log) {
    const client = (await worker.getBackend().client);
    const subscriber = client.duplicate();
    subscriber.on('error', (error) => log.debug({ err: error }, 'cancel channel: Redis connection error (reconnecting)'));
    subscriber.on('message', (_channel, text) => {
        const message = parseCancelMessage(text);
        if (message && worker.cancelJob(message.jobId, message.reason))
            log.info({ queueJobId: message.jobId }, 'queue job cancelled');
    });
    await subscriber.subscribe(channel);
    return () => subscriber.disconnect();
}
//# sourceMappingURL=cancel-listener.js.map