import type { Moves } from '../lifecycle.js';
export type ConnState = 'queued' | 'offered' | 'owned' | 'done';
export declare const CONN_MOVES: Moves<ConnState>;
