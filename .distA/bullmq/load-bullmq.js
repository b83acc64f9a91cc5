// Loads the optional peer dependency `bullmq` on first use, so `supervise` itself never needs it installed.
import { QueuePeerMissingError } from './errors.js';
let loading;
/** `import('bullmq')`, once; a missing package becomes a QueuePeerMissingError that says what to install. */
export function loadBullmq() {
    return (loading ??= import('bullmq').catch((error) => {
        loading = undefined;
        if (error?.code === 'ERR_MODULE_NOT_FOUND')
            throw new QueuePeerMissingError('`bullmq`', { cause: error });
        throw error;
    }));
}
//# sourceMappingURL=load-bullmq.js.map