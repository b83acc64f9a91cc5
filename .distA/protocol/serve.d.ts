export interface ConnMessage {
    supervise: 'conn';
    /** The connection's id. */
    id: number;
    /** Which try this is, from 1: echoed in the answer. */
    offer: number;
    /** Epoch ms after which the worker must refuse the connection. */
    deadline: number;
}
export interface CloseAllMessage {
    supervise: 'close-all';
}
export type ToWorker = ConnMessage | CloseAllMessage;
export interface AcceptedMessage {
    supervise: 'accepted';
    id: number;
    offer: number;
}
export interface RefusedMessage {
    supervise: 'refused';
    id: number;
    offer: number;
    /** late: past the deadline; draining: shutting down; no-handle: the descriptor did not arrive; duplicate: it holds this connection already. */
    reason: 'late' | 'draining' | 'no-handle' | 'duplicate';
}
export interface ClosedMessage {
    supervise: 'closed';
    id: number;
}
export interface DrainingMessage {
    supervise: 'draining';
    open: number;
}
export type FromWorker = AcceptedMessage | RefusedMessage | ClosedMessage | DrainingMessage;
export declare function isToWorker(message: unknown): message is ToWorker;
export declare function isFromWorker(message: unknown): message is FromWorker;
