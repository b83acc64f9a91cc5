// The lifecycle tables: allowed moves happen, anything else is refused and leaves the state alone.
import { expect, it } from 'vitest';
import { Lifecycle } from '../src/lifecycle.js';

type S = 'a' | 'b' | 'c';

it('moves only along the table and reports each move', () => {
  const moves: string[] = [];
  const life = new Lifecycle<S>({ a: ['b'], b: ['c'], c: [] }, 'a', (from, to) => moves.push(`${from}>${to}`));
  expect(life.to('c')).toBe(false);
  expect(life.state).toBe('a');
  expect(life.to('b')).toBe(true);
  expect(life.to('b')).toBe(false);
  expect(life.to('a')).toBe(false);
  expect(life.to('c')).toBe(true);
  expect(life.is('c')).toBe(true);
  expect(life.to('a')).toBe(false);
  expect(moves).toEqual(['a>b', 'b>c']);
});
