import type { HeartbeatMessage } from '../protocol/index.js';
/** Calls `send` every `interval` ms with RSS and mean event-loop delay; returns a stop function. */
export declare function startHeartbeat(interval: number, send: (beat: HeartbeatMessage) => void): () => void;
