/*
 * Jobs by id, on both sides of the channel (a worker's jobs in flight in the
 * supervisor, the running jobs in a worker): a Map<number, V> for the few
 * operations the hot path needs, without a Map's garbage. A Map
 * whose entries come and go, 256 at a time, keeps leaving deleted slots behind
 * and rebuilds its table every so often: about 90 bytes per job to collect in
 * the pipelined benchmark. Job ids are handed out in sequence, so those in
 * flight at the same time mostly sit in distinct slots of a power-of-two table
 * indexed by `id & mask`; collisions probe linearly, and a delete shifts the
 * entries after it back, so the table never holds tombstones and never
 * reallocates unless it has to grow.
 */
/** Marks a free slot; ids are integers from 0 to 2³² − 1, so a Float64Array can hold both. */
const EMPTY = -1;

export class IdTable<V> {
  private keys: Float64Array;
  private values_: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(capacity = 64) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(EMPTY);
    this.values_ = new Array<V | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const { keys, mask } = this;
    for (let i = id & mask; ; i = (i + 1) & mask) {
      const key = keys[i];
      if (key === id) return this.values_[i];
      if (key === EMPTY) return undefined;
    }
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Ids are integers from 0 to 2³² − 1 (a frame's id field); values are never undefined. */
  set(id: number, value: V): this {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const { keys, mask } = this;
    for (let i = id & mask; ; i = (i + 1) & mask) {
      const key = keys[i];
      if (key === id) {
        this.values_[i] = value;
        return this;
      }
      if (key === EMPTY) {
        keys[i] = id;
        this.values_[i] = value;
        this.count++;
        return this;
      }
    }
  }

  delete(id: number): boolean {
    const { keys, mask } = this;
    let i = id & mask;
    for (; ; i = (i + 1) & mask) {
      const key = keys[i];
      if (key === id) break;
      if (key === EMPTY) return false;
    }
    // backward-shift deletion: move later entries of the same probe run into the hole
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = keys[j] & mask;
      // the entry at j may fill the hole only if its home slot is not in (hole, j] (cyclically)
      if ((j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j)) {
        keys[hole] = keys[j];
        this.values_[hole] = this.values_[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.values_[hole] = undefined;
    this.count--;
    return true;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.values_.fill(undefined);
    this.count = 0;
  }

  /** The values, in no particular order; a snapshot, so the table may change while it is walked. */
  values(): V[] {
    const out: V[] = [];
    const { keys, values_ } = this;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out.push(values_[i]!);
    return out;
  }

  private grow(): void {
    const { keys, values_ } = this;
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.values_ = new Array<V | undefined>(keys.length * 2).fill(undefined);
    this.mask = this.keys.length - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i], values_[i]!);
  }
}
