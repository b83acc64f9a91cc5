// The serve balancer and connection states alone: pure functions and tables, no processes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/lifecycle.js';
import { OFFER_WINDOW, pickWorker, type BalancedWorker } from '../../src/serve/balancer.js';
import { CONN_MOVES, type ConnState } from '../../src/serve/connection-state.js';
import { ROOT } from './helpers.js';

const worker = (id: string, load: Partial<BalancedWorker> = {}) => ({ id, accepting: true, open: 0, offered: 0, served: 0, ...load });

describe('pickWorker (least open connections)', () => {
  it('is undefined without a worker that can take a connection', () => {
    expect(pickWorker([])).toBeUndefined();
    expect(pickWorker([worker('a', { accepting: false }), worker('b', { offered: OFFER_WINDOW })])).toBeUndefined();
  });

  it('takes the fewest open + offered connections', () => {
    expect(pickWorker([worker('a', { open: 3 }), worker('b', { open: 1, offered: 1 }), worker('c', { open: 2, offered: 1 })])?.id).toBe('b');
  });

  it('breaks ties by fewest served + offered, then by order', () => {
    expect(pickWorker([worker('a', { open: 1, served: 9 }), worker('b', { open: 1, served: 2 })])?.id).toBe('b');
    expect(pickWorker([worker('a', { open: 1 }), worker('b', { offered: 1 })])?.id).toBe('a');
    expect(pickWorker([worker('a'), worker('b')])?.id).toBe('a');
  });

  it('skips workers that are not accepting (starting, draining, stalled, out of descriptors) and saturated ones', () => {
    const picked = pickWorker([worker('idle-but-stalled', { accepting: false }), worker('saturated', { offered: OFFER_WINDOW }), worker('busy', { open: 500 })]);
    expect(picked?.id).toBe('busy');
  });

  it('always picks an accepting, unsaturated worker with the least load, whenever there is one (property)', () => {
    const arbitraryWorker = fc.record({
      accepting: fc.boolean(),
      open: fc.nat(50),
      offered: fc.nat(OFFER_WINDOW + 2),
      served: fc.nat(100),
    });
    fc.assert(
      fc.property(fc.array(arbitraryWorker, { maxLength: 8 }), (workers) => {
        const eligible = workers.filter((w) => w.accepting && w.offered < OFFER_WINDOW);
        const picked = pickWorker(workers);
        if (eligible.length === 0) return picked === undefined;
        const least = Math.min(...eligible.map((w) => w.open + w.offered));
        return picked !== undefined && eligible.includes(picked) && picked.open + picked.offered === least;
      }),
    );
  });
});

describe('connection states', () => {
  const conn = (initial: ConnState = 'queued') => new Lifecycle<ConnState>(CONN_MOVES, initial);

  it('goes queued → offered → owned → done', () => {
    const life = conn();
    expect([life.to('offered'), life.to('owned'), life.to('done')]).toEqual([true, true, true]);
  });

  it('goes back to queued from offered only (release), never once a worker owns it', () => {
    const offered = conn('offered');
    expect(offered.to('queued')).toBe(true);
    const owned = conn('owned');
    expect(owned.to('queued')).toBe(false);
    expect(owned.to('offered')).toBe(false);
    expect(owned.state).toBe('owned');
  });

  it('is never revived once done (a late acknowledgement or close)', () => {
    const done = conn('done');
    for (const state of ['queued', 'offered', 'owned'] as const) expect(done.to(state)).toBe(false);
    expect(done.state).toBe('done');
  });
});

describe('module layout', () => {
  it('worker/ does not import serve/: the serve IPC message shapes live in protocol/', () => {
    const dir = path.join(ROOT, 'src/worker');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/from '\.\.\/serve\//);
    }
    expect(readFileSync(path.join(ROOT, 'src/worker/connections.ts'), 'utf8')).toContain("from '../protocol/serve.js'");
  });
});
