/*
 * Explicit lifecycles. The supervisor, each worker handle and the worker
 * runtime move through named states, and each names the moves it allows.
 * A move that the table does not allow is refused (returns false), so a late
 * event (an exit after a kill, a reply after a drain) can never drag a state
 * backwards; callers that must act only on a real move check the result.
 */
export type Moves<S extends string> = { readonly [K in S]: readonly S[] };

export class Lifecycle<S extends string> {
  private current: S;
  /** When the current state was entered (ms since the epoch). */
  since = Date.now();

  constructor(
    private readonly moves: Moves<S>,
    initial: S,
    private readonly onMove?: (from: S, to: S) => void,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  /** Moves to `next` when the table allows it; returns whether it moved. */
  to(next: S): boolean {
    if (!this.moves[this.current].includes(next)) return false;
    const from = this.current;
    this.current = next;
    this.since = Date.now();
    this.onMove?.(from, next);
    return true;
  }
}
