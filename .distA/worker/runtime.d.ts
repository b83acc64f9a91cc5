import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ModuleSettings } from './load-module.js';
import type { Handler } from './types.js';
export interface RuntimeOptions {
    channel: Socket;
    handlers: Map<string, Handler>;
    settings?: ModuleSettings;
    /** The worker's root logger, made on first use. */
    log: () => Logger;
    maxFrameSize: number;
    heartbeatInterval: number;
    exit: (code: number) => void;
    /** Serve mode: after a shutdown frame, the worker waits for this (its open connections) before it says goodbye. */
    beforeExit?: () => Promise<void>;
}
export declare class WorkerRuntime {
    private readonly options;
    private readonly writer;
    private readonly decoder;
    private readonly inFlight;
    private readonly handlerNames;
    private readonly life;
    private beforeExitDone;
    private beforeExitStarted;
    private stopHeartbeat;
    private readonly onFrameBound;
    private readonly progressQueue;
    private progressScheduled;
    private readonly progressOutbox;
    constructor(options: RuntimeOptions);
    /**
     * Says hello, starts heartbeats and serves frames until the channel closes
     * or a shutdown drains. `early` holds what arrived while the module loaded.
     */
    start(early?: Buffer[]): void;
    private onData;
    private onFrame;
    private runJob;
    /**
     * Sends a generator handler's chunks as the caller's credit allows, and
     * returns its return value. A cancel stops the generator (return()).
     */
    private pumpStream;
    private finish;
    private sendCredit;
    /** Sends every job's latest progress value; runs once per turn of the event loop while updates are pending. */
    private flushProgress;
    private sendProgress;
    private sendError;
    private sendJson;
    private maybeExit;
    private onChannelClosed;
}
