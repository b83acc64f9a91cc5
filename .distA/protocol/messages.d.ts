/** Hello: sent once by the worker after its module loaded. */
export interface HelloMessage {
    version: number;
    pid: number;
    handlers: string[];
    /** The module asked that its process group be left alone when the worker ends (`export const supervise = { keepProcessGroup: true }`). */
    keepProcessGroup?: boolean;
}
/** Heartbeat: sent by the worker every `heartbeatInterval` ms. */
export interface HeartbeatMessage {
    /** Resident set size, bytes. */
    rss: number;
    /** Mean event-loop delay since the last heartbeat, ms. */
    loopDelay: number;
}
/** An error as it crosses the channel (see error-codec.ts). */
export interface SerializedError {
    name: string;
    message: string;
    stack?: string;
    code?: string | number;
    cause?: SerializedError | {
        value: unknown;
    };
    props?: Record<string, unknown>;
}
/** The handler name of the default export. */
export declare const DEFAULT_HANDLER = "default";
/** Largest `meta` a job may carry, in UTF-8 bytes of its JSON. */
export declare const MAX_META_SIZE = 65535;
/** Job frame flag: the job has an input stream (`ctx.input`); its chunks follow in Chunk frames, then InputEnd. */
export declare const JOB_HAS_INPUT = 1;
/**
 * Encodes what a job frame carries before its value: the handler name (a
 * length byte, then UTF-8; the default handler is empty), the attempt number
 * (u16; 1 for the first), a flags byte (JOB_HAS_INPUT), and the job's `meta`
 * as JSON text (u16 length, then UTF-8; empty for none). Cached per name for
 * first attempts without meta or input, which is nearly every job: a program
 * uses only a few names.
 */
export declare function jobPrefix(name: string, attempt?: number, meta?: string, flags?: number): Buffer;
export interface JobHead {
    name: string;
    attempt: number;
    flags: number;
    /** The job's meta as JSON text, when it has one. */
    meta: string | undefined;
    value: Buffer;
}
/** Splits a job frame's payload into handler name, attempt, flags, meta and value bytes. */
export declare function parseJobPayload(payload: Buffer): JobHead;
/** A Credit frame's payload: how many more chunks the other side may send (u32). */
export declare function creditPayload(count: number): Buffer;
/** Reads a Credit frame's payload. */
export declare function readCredit(payload: Buffer): number;
export declare function encodeJson(value: unknown): Buffer;
/** Parses a JSON control payload, turning bad JSON into a ProtocolError. */
export declare function parseJson<T>(payload: Buffer, what: string): T;
/** Checks a hello against this side's protocol version; throws a coded error on mismatch. */
export declare function checkHello(hello: HelloMessage): void;
/** Worker exit codes that carry meaning to the supervisor, like Gunicorn's boot-error codes. */
export declare const WorkerExit: {
    /** The module failed to load or exports no handler: restarting will not help. */
    readonly BootFailure: 3;
    /** The supervisor sent bytes that are not valid frames. */
    readonly ProtocolError: 5;
};
