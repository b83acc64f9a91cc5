export type Moves<S extends string> = {
    readonly [K in S]: readonly S[];
};
export declare class Lifecycle<S extends string> {
    private readonly moves;
    private readonly onMove?;
    private current;
    /** When the current state was entered (ms since the epoch). */
    since: number;
    constructor(moves: Moves<S>, initial: S, onMove?: ((from: S, to: S) => void) | undefined);
    get state(): S;
    is(...states: S[]): boolean;
    /** Moves to `next` when the table allows it; returns whether it moved. */
    to(next: S): boolean;
}
