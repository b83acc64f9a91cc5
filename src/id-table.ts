/*
 * Jobs by id, on both sides of the channel (a worker's jobs in flight in the
 * supervisor, the running jobs in a worker): a Map<number, V> for the few
 * operations the hot path needs, without a Map's garbage. A Map whose entries
 * come and go by the hundred keeps leaving deleted slots behind and rebuilds
 * its table every so often: about 90 bytes per job to collect in the
 * pipelined benchmark.
 *
 * Job ids are handed out in sequence, so the ids in flight at one time form a
 * window narrower than the table, and `id & mask` gives each its own slot:
 * get, set and delete are one array access each. An id whose slot is taken
 * (a job that outlived a whole table's worth of later ones) goes to a small
 * overflow Map; when that holds more than a quarter of the table's size, the
 * table doubles.
 */
/** Marks a free slot; ids are integers from 0 to 2³² − 1, so a Float64Array can hold both. */
const EMPTY = -1;

export class IdTable<V> {
  private keys: Float64Array;
  private slots: (V | undefined)[];
  private mask: number;
  private overflow: Map<number, V> | undefined;
  private count = 0;

  constructor(capacity = 64) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(EMPTY);
    this.slots = new Array<V | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const i = id & this.mask;
    if (this.keys[i] === id) return this.slots[i];
    return this.overflow?.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Ids are integers from 0 to 2³² − 1 (a frame's id field); values are never undefined. */
  set(id: number, value: V): this {
    const i = id & this.mask;
    const key = this.keys[i];
    if (key === id) {
      this.slots[i] = value;
    } else if (key === EMPTY && !this.overflow?.has(id)) {
      this.keys[i] = id;
      this.slots[i] = value;
      this.count++;
    } else {
      const overflow = (this.overflow ??= new Map());
      if (!overflow.has(id)) this.count++;
      overflow.set(id, value);
      if (overflow.size * 4 > this.keys.length) this.grow();
    }
    return this;
  }

  delete(id: number): boolean {
    const i = id & this.mask;
    if (this.keys[i] === id) {
      this.keys[i] = EMPTY;
      this.slots[i] = undefined;
      this.count--;
      return true;
    }
    if (this.overflow?.delete(id)) {
      this.count--;
      return true;
    }
    return false;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.slots.fill(undefined);
    this.overflow = undefined;
    this.count = 0;
  }

  /** The values, in no particular order; a snapshot, so the table may change while it is walked. */
  values(): V[] {
    const out: V[] = [];
    const { keys, slots } = this;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out.push(slots[i]!);
    if (this.overflow) out.push(...this.overflow.values());
    return out;
  }

  private grow(): void {
    const { keys, slots, overflow } = this;
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.slots = new Array<V | undefined>(keys.length * 2).fill(undefined);
    this.mask = this.keys.length - 1;
    this.overflow = undefined;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i], slots[i]!);
    if (overflow) for (const [id, value] of overflow) this.set(id, value);
  }
}
