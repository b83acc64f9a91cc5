// One worker path for development and production: `./w.js` runs w.ts when only the source exists, as TypeScript's
// nodenext resolution reads it; a module that is nowhere is a coded error naming every path tried.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, WorkerNotFoundError } from 'supervise';
import { closeAll, fixture, supervisor } from '../helpers.js';

afterEach(closeAll);

describe('worker module paths', () => {
  it('runs the .ts file for a .js path whose .js does not exist, given as a path or a URL', async () => {
    const asPath = supervisor({ worker: fixture('dual/only-ts.js'), workers: 1 });
    expect(await asPath.run(null)).toBe('ts source');
    const asUrl = supervisor({ worker: new URL('../fixtures/dual/only-ts.js', import.meta.url), workers: 1 });
    expect(await asUrl.run(null)).toBe('ts source');
  });

  it('runs the .js file when it exists, even with a .ts beside it', async () => {
    const sup = supervisor({ worker: fixture('dual/both.js'), workers: 1 });
    expect(await sup.run(null)).toBe('js build');
  });

  it('throws WorkerNotFoundError (ERR_WORKER_NOT_FOUND) naming the paths tried, and starts nothing', () => {
    const missing = fixture('dual/missing.js');
    const error = (() => {
      try {
        createSupervisor({ worker: pathToFileURL(missing), logLevel: 'silent' });
      } catch (caught) {
        return caught as WorkerNotFoundError;
      }
      throw new Error('createSupervisor did not throw');
    })();
    expect(error).toBeInstanceOf(WorkerNotFoundError);
    expect(error.code).toBe('ERR_WORKER_NOT_FOUND');
    const base = missing.slice(0, -'.js'.length);
    expect(error.tried).toEqual([missing, `${base}.ts`, `${base}.tsx`]);
    expect(error.message).toContain(`${base}.ts`);
    expect(() => createSupervisor({ worker: path.join('no', 'such', 'worker.ts'), logLevel: 'silent' })).toThrow(/Worker module not found: .*worker\.ts does not exist/);
  });
});
