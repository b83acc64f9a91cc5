// What is loaded only when needed, so that a supervisor and its workers carry no memory for features they do not use.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { closeAll, fixture, supervisor, waitFor } from '../helpers.js';

afterEach(closeAll);

const dist = pathToFileURL(new URL('../../dist/index.js', import.meta.url).pathname).href;

/** Runs a supervisor of `worker` with `options` in a fresh node process, one job, and says what got loaded there. */
function loadedWith(options: string, worker = 'handlers.ts'): { pino: boolean; crypto: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { createSupervisor } = await import(${JSON.stringify(dist)});
    const sup = createSupervisor({ worker: ${JSON.stringify(pathToFileURL(fixture(worker)).href)}, workers: 1, ...${options} });
    await sup.run('hi');
    await sup.close();
    const pino = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/pino/'));
    const crypto = process.moduleLoadList.includes('NativeModule crypto');
    process.stdout.write(JSON.stringify({ pino, crypto }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { pino: boolean; crypto: boolean };
}
const pinoLoadedWith = (options: string) => loadedWith(options).pino;

it('does not load pino in a supervisor that logs nothing (no logger, or logLevel silent), and does when it logs', () => {
  expect(pinoLoadedWith('{}')).toBe(false);
  expect(pinoLoadedWith("{ logLevel: 'silent' }")).toBe(false);
  expect(pinoLoadedWith("{ logLevel: 'fatal' }")).toBe(true);
});

it('does not load node:crypto in a supervisor of JavaScript workers, and does once it compiles TypeScript', () => {
  expect(loadedWith('{}', 'plain.js').crypto).toBe(false);
  expect(loadedWith('{}', 'handlers.ts').crypto).toBe(true);
});

it('loads node:v8 in a worker only once a payload needs structured clone', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1 });
  expect(await sup.run({ plain: ['json', 1] })).toEqual({ plain: ['json', 1] });
  expect(await sup.run('x', { name: 'upper' })).toBe('X');
  expect(await sup.run(null, { name: 'loadedV8' })).toBe(false);
  expect(await sup.run(new Map([[1, 2]]))).toEqual(new Map([[1, 2]]));
  expect(await sup.run(null, { name: 'loadedV8' })).toBe(true);
});

it('measures a worker\'s event-loop delay for its heartbeats without loading perf_hooks', async () => {
  const sup = supervisor({ worker: fixture('handlers.ts'), workers: 1, heartbeatInterval: 50 });
  await sup.ready();
  // a beat has arrived: the heartbeat, and its delay sampling, run
  expect(await waitFor(() => sup.workerStats()[0].rss > 0, 5000)).toBe(true);
  expect(await sup.run(null, { name: 'loadedPerfHooks' })).toBe(false);
});
