export class Lifecycle {
    moves;
    onMove;
    current;
    /** When the current state was entered (ms since the epoch). */
    since = Date.now();
    constructor(moves, initial, onMove) {
        this.moves = moves;
        this.onMove = onMove;
        this.current = initial;
    }
    get state() {
        return this.current;
    }
    is(...states) {
        return states.includes(this.current);
    }
    /** Moves to `next` when the table allows it; returns whether it moved. */
    to(next) {
        if (!this.moves[this.current].includes(next))
            return false;
        const from = this.current;
        this.current = next;
        this.since = Date.now();
        this.onMove?.(from, next);
        return true;
    }
}
//# sourceMappingURL=lifecycle.js.map