export type { Handler, JobContext } from './types.js';
export type { ConnectionHandler, ConnectionContext } from './connections.js';
export * from '../errors.js';
import type { Handler } from './types.js';
/** Identity helper that types a handler's payload and result. */
export declare function defineHandler<In, Out>(handler: Handler<In, Out>): Handler<In, Out>;
