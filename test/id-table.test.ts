import { expect, it } from 'vitest';
import { IdTable } from '../src/id-table.js';

/** A small deterministic PRNG, so a failure names its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

it('behaves as a Map under random sets, gets and deletes, colliding ids and growth included', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const table = new IdTable<string>(4);
    const map = new Map<number, string>();
    // ids from a narrow sequential window (like jobs in flight) mixed with ids that collide modulo the table size
    let next = 1 + Math.floor(random() * 1000);
    for (let step = 0; step < 4000; step++) {
      const r = random();
      if (r < 0.45) {
        const id = random() < 0.7 ? next++ : 1 + Math.floor(random() * 64) * 1024 + (next % 16);
        table.set(id, `v${step}`);
        map.set(id, `v${step}`);
      } else if (r < 0.85 && map.size > 0) {
        const ids = [...map.keys()];
        const id = ids[Math.floor(random() * ids.length)];
        expect(table.delete(id), `seed ${seed} step ${step}`).toBe(true);
        map.delete(id);
      } else {
        const id = 1 + Math.floor(random() * (next + 100));
        expect(table.delete(id), `seed ${seed} step ${step}`).toBe(map.delete(id));
      }
      expect(table.size, `seed ${seed} step ${step}`).toBe(map.size);
      if (step % 97 === 0) {
        for (const [id, value] of map) expect(table.get(id), `seed ${seed} step ${step} id ${id}`).toBe(value);
        expect(table.values().sort()).toEqual([...map.values()].sort());
      }
    }
    for (const [id, value] of map) expect(table.get(id)).toBe(value);
    expect(table.get(0xffffffff)).toBeUndefined();
  }
});

it('clear() empties it', () => {
  const table = new IdTable<number>();
  for (let id = 1; id <= 300; id++) table.set(id, id);
  table.clear();
  expect(table.size).toBe(0);
  expect(table.get(5)).toBeUndefined();
  expect(table.values()).toEqual([]);
});

it('takes every id a frame can carry, 0 and 2³² − 1 included', () => {
  const table = new IdTable<string>(4);
  const ids = [0, 1, 0xffffffff, 0xfffffffe, 16, 32, 48];
  for (const id of ids) table.set(id, `v${id}`);
  expect(table.size).toBe(ids.length);
  for (const id of ids) expect(table.get(id)).toBe(`v${id}`);
  expect(table.delete(0)).toBe(true);
  expect(table.get(0)).toBeUndefined();
  expect(table.get(16)).toBe('v16');
  expect(table.delete(0xffffffff)).toBe(true);
  expect(table.values().sort()).toEqual(['v1', 'v16', 'v32', 'v4294967294', 'v48']);
});
