// Loads the optional peer dependency `bullmq` on first use, so `supervise` itself never needs it installed.
import { QueuePeerMissingError } from './errors.js';

export type BullmqModule = typeof import('bullmq');

let loading: Promise<BullmqModule> | undefined;

/** `import('bullmq')`, once; a missing package becomes a QueuePeerMissingError that says what to install. */
export function loadBullmq(): Promise<BullmqModule> {
  return (loading ??= import('bullmq').catch((error: unknown) => {
    loading = undefined;
    if ((error as { code?: unknown })?.code === 'ERR_MODULE_NOT_FOUND') throw new QueuePeerMissingError('`bullmq`', { cause: error });
    throw error;
  }));
}
