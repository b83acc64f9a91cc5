export type BullmqModule = typeof import('bullmq');
/** `import('bullmq')`, once; a missing package becomes a QueuePeerMissingError that says what to install. */
export declare function loadBullmq(): Promise<BullmqModule>;
