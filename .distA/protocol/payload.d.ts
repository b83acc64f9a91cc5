export declare const Enc: {
    readonly Undefined: 0;
    readonly Json: 1;
    readonly Uint8Array: 2;
    readonly Buffer: 3;
    readonly Structured: 4;
};
export type Enc = (typeof Enc)[keyof typeof Enc];
export interface EncodedValue {
    enc: Enc;
    bytes: Uint8Array;
}
/** True when JSON.stringify round-trips `value` exactly, so the fast JSON encoding is safe. */
export declare function isPlainJson(value: unknown, depth?: number): boolean;
/** A value ready for FrameWriter.send: JSON stays text until it is written into the frame, saving a copy. */
export interface WireValue {
    enc: Enc;
    data: Uint8Array | string;
}
/** Encodes a value for the wire, choosing the cheapest encoding that keeps it intact. */
export declare function encodeValue(value: unknown): EncodedValue;
/** Like encodeValue, but JSON is returned as text, which the frame writer encodes straight into its batch. */
export declare function encodeWireValue(value: unknown): WireValue;
/** Decodes a value; `bytes` may be a view into a larger chunk and is not copied for byte payloads. */
export declare function decodeValue(enc: number, bytes: Buffer): unknown;
export declare function isKnownEnc(enc: number): boolean;
/**
 * Throws a PayloadError when an encoded value (plus `extra` bytes of frame
 * payload, such as the handler name) would make a frame larger than
 * `maxFrameSize`: the receiver would take such a frame for an attack and kill
 * the connection, so the sender refuses it instead, failing only that job.
 */
export declare function checkFrameSize(data: Uint8Array | string, extra: number, maxFrameSize: number, what: string): void;
