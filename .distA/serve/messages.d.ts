export interface ConnMessage {
    supervise: 'conn';
    id: number;
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
}
export interface RefusedMessage {
    supervise: 'refused';
    id: number;
    reason: 'late' | 'draining' | 'no-handle';
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
