// Type tests for typed supervisors, checked by `tsc --noEmit` in `npm test` (vitest does not run this file).
// Every `@ts-expect-error` line must be an error: if the typing went loose, tsc would report it as unused.
import { expectTypeOf } from 'vitest';
import {
  createSupervisor,
  type ChunkOf,
  type HandlerName,
  type JobOutcome,
  type MapResult,
  type PayloadOf,
  type ResultOf,
  type RunHandlerName,
  type StreamHandlerName,
  type Supervisor,
} from 'supervise';
import type { Box } from '../fixtures/typed-worker.js';

type W = typeof import('../fixtures/typed-worker.js');
type NamedOnly = typeof import('../fixtures/typed-worker-named.js');

declare const sup: Supervisor<W>;
declare const box: Box;
declare const bytes: Uint8Array;
declare const anyString: string;

// Never called: these functions exist to be type-checked.

export async function createSupervisorTakesTheModuleType() {
  const typed = createSupervisor<W>({ worker: 'test/fixtures/typed-worker.ts' });
  expectTypeOf(typed).toEqualTypeOf<Supervisor<W>>();
  const untyped = createSupervisor({ worker: 'test/fixtures/typed-worker.ts' });
  expectTypeOf(untyped).toEqualTypeOf<Supervisor>();
  // a typed supervisor is still a Supervisor: code that takes one accepts it
  const plain: Supervisor = typed;
  const list: Supervisor[] = [typed, untyped];
  // and a supervisor declared with the module type is a typed one (the type argument is inferred)
  const declared: Supervisor<W> = createSupervisor({ worker: 'test/fixtures/typed-worker.ts' });
  expectTypeOf(declared.run('x', { name: 'upper' })).toEqualTypeOf<Promise<string>>();
  void [plain, list];
}

export async function handlerNames() {
  expectTypeOf<HandlerName<W>>().toEqualTypeOf<'default' | 'upper' | 'reverse' | 'pid' | 'greet' | 'attempt' | 'fail' | 'count'>();
  expectTypeOf<RunHandlerName<W>>().toEqualTypeOf<'default' | 'upper' | 'reverse' | 'pid' | 'greet' | 'attempt' | 'fail' | 'count'>();
  expectTypeOf<StreamHandlerName<W>>().toEqualTypeOf<'count'>();
  expectTypeOf<HandlerName<unknown>>().toEqualTypeOf<string>();
  expectTypeOf<HandlerName<any>>().toEqualTypeOf<string>();
  expectTypeOf<StreamHandlerName<unknown>>().toEqualTypeOf<string>();
}

export async function payloadsResultsChunks() {
  expectTypeOf<PayloadOf<W>>().toEqualTypeOf<Box>();
  expectTypeOf<PayloadOf<W, 'upper'>>().toEqualTypeOf<string>();
  expectTypeOf<PayloadOf<W, 'pid'>>().toEqualTypeOf<unknown>();
  expectTypeOf<PayloadOf<W, 'greet'>>().toEqualTypeOf<{ name: string } | undefined>();
  expectTypeOf<PayloadOf<W, 'count'>>().toEqualTypeOf<number>();
  expectTypeOf<ResultOf<W>>().toEqualTypeOf<{ area: number; attempt: number }>();
  expectTypeOf<ResultOf<W, 'upper'>>().toEqualTypeOf<string>();
  expectTypeOf<ResultOf<W, 'reverse'>>().toEqualTypeOf<Uint8Array>();
  expectTypeOf<ChunkOf<W, 'count'>>().toEqualTypeOf<number>();
  expectTypeOf<ChunkOf<W, 'upper'>>().toEqualTypeOf<never>();
  expectTypeOf<ChunkOf<unknown, string>>().toEqualTypeOf<unknown>();
  // @ts-expect-error: not a handler of the module
  type Nope = PayloadOf<W, 'nope'>;
}

export async function run() {
  expectTypeOf(sup.run(box)).toEqualTypeOf<Promise<{ area: number; attempt: number }>>();
  expectTypeOf(sup.run({ width: 2, height: 3 }, { timeout: 100, retries: 0, meta: { key: 'k' }, onProgress: (value, info) => void [value, info.attempt] })).toEqualTypeOf<
    Promise<{ area: number; attempt: number }>
  >();
  expectTypeOf(sup.run(box, { name: 'default' })).toEqualTypeOf<Promise<{ area: number; attempt: number }>>();
  expectTypeOf(sup.run('x', { name: 'upper' })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(sup.run(bytes, { name: 'reverse' })).toEqualTypeOf<Promise<Uint8Array>>();
  expectTypeOf(sup.run(undefined, { name: 'pid' })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(sup.run({ anything: true }, { name: 'pid' })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(sup.run(undefined, { name: 'greet' })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(sup.run({ name: 'tom' }, { name: 'greet' })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(sup.run(null, { name: 'attempt' })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(sup.run('boom', { name: 'fail' })).toEqualTypeOf<Promise<never>>();

  const area: number = (await sup.run(box)).area;
  const text: string = await sup.run('x', { name: 'upper' });
  void [area, text];

  // @ts-expect-error: wrong payload for the default handler (a missing field)
  void sup.run({ width: 1 });
  // @ts-expect-error: wrong payload for the default handler (a string)
  void sup.run('x');
  // @ts-expect-error: wrong payload for a named handler
  void sup.run(42, { name: 'upper' });
  // @ts-expect-error: wrong payload for a named async handler
  void sup.run([1, 2, 3], { name: 'reverse' });
  // @ts-expect-error: wrong payload for an optional payload
  void sup.run({ nom: 'tom' }, { name: 'greet' });
  // @ts-expect-error: unknown handler name
  void sup.run(box, { name: 'nope' });
  // @ts-expect-error: a constant export is not a handler
  void sup.run(box, { name: 'version' });
  // @ts-expect-error: the settings export is not a handler
  void sup.run(box, { name: 'supervise' });
  // @ts-expect-error: a class is not a handler
  void sup.run(box, { name: 'Thumbnailer' });
  // run() drains a generator and resolves with its return value
  expectTypeOf(sup.run(3, { name: 'count' })).toEqualTypeOf<Promise<string>>();
  // @ts-expect-error: wrong payload for the generator
  void sup.run('three', { name: 'count' });
  // stream() yields the generator's chunks
  expectTypeOf(sup.stream(3, { name: 'count' })).toEqualTypeOf<AsyncGenerator<number, void, undefined>>();
  // @ts-expect-error: stream() takes only generator handlers
  void sup.stream('a', { name: 'upper' });
  // @ts-expect-error: wrong payload for the stream
  void sup.stream('three', { name: 'count' });
  // @ts-expect-error: a name only known as a string is not checked, so it is refused
  void sup.run(box, { name: anyString });
  // @ts-expect-error: wrong result type (the default handler resolves with an object)
  const wrong1: string = await sup.run(box);
  // @ts-expect-error: wrong result type (upper resolves with a string)
  const wrong2: number = await sup.run('x', { name: 'upper' });
  // @ts-expect-error: the result is not a Promise of bytes
  const wrong3: Promise<Uint8Array> = sup.run('x', { name: 'upper' });
  // @ts-expect-error: per-job options keep their types
  void sup.run(box, { timeout: '5s' });
  void [wrong1, wrong2, wrong3];
}

export async function runDetailed() {
  expectTypeOf(sup.runDetailed('x', { name: 'upper' })).toEqualTypeOf<Promise<JobOutcome<string>>>();
  expectTypeOf(sup.runDetailed(box)).toEqualTypeOf<Promise<JobOutcome<{ area: number; attempt: number }>>>();
  // @ts-expect-error: wrong payload
  void sup.runDetailed(1, { name: 'upper' });
  // @ts-expect-error: unknown handler name
  void sup.runDetailed('x', { name: 'lower' });
  // @ts-expect-error: wrong result type
  const { result }: { result: number } = await sup.runDetailed('x', { name: 'upper' });
  void result;
}

export async function map() {
  expectTypeOf(sup.map(['a', 'b'], { name: 'upper' })).toEqualTypeOf<AsyncGenerator<string>>();
  expectTypeOf(sup.map([box, box])).toEqualTypeOf<AsyncGenerator<{ area: number; attempt: number }>>();
  expectTypeOf(sup.map(['a'], { name: 'upper', settle: true })).toEqualTypeOf<AsyncGenerator<MapResult<string>>>();
  expectTypeOf(sup.map(['a'], { name: 'upper', settle: false, window: 4 })).toEqualTypeOf<AsyncGenerator<string>>();
  async function* texts() {
    yield 'a';
  }
  expectTypeOf(sup.map(texts(), { name: 'upper' })).toEqualTypeOf<AsyncGenerator<string>>();
  for await (const r of sup.map([bytes], { name: 'reverse', settle: true })) {
    if (r.ok) expectTypeOf(r.value).toEqualTypeOf<Uint8Array>();
  }
  // @ts-expect-error: wrong input type for the handler
  void sup.map([1, 2], { name: 'upper' });
  // @ts-expect-error: wrong input type for the default handler
  void sup.map(['a']);
  // @ts-expect-error: unknown handler name
  void sup.map(['a'], { name: 'nope' });
  // map() drains generators too, one result per input
  expectTypeOf(sup.map([1], { name: 'count' })).toEqualTypeOf<AsyncGenerator<string>>();
  // @ts-expect-error: wrong result type
  const wrong: AsyncGenerator<number> = sup.map(['a'], { name: 'upper' });
  void wrong;
}

export async function aModuleWithoutDefaultExport(named: Supervisor<NamedOnly>) {
  expectTypeOf(named.run(2, { name: 'double' })).toEqualTypeOf<Promise<number>>();
  // @ts-expect-error: no default export, so a name is required
  void named.run(2);
  // @ts-expect-error: no default export, so a name is required
  void named.runDetailed(2, { timeout: 10 });
  // @ts-expect-error: no default export, so a name is required
  void named.map([2]);
}

export async function aHandlersInterfaceInsteadOfTheModule() {
  interface Handlers {
    default(payload: { id: string }): Promise<boolean>;
    size(path: string): number;
  }
  const s = createSupervisor<Handlers>({ worker: 'workers/anything.ts' });
  expectTypeOf(s.run({ id: 'a' })).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(s.run('/tmp', { name: 'size' })).toEqualTypeOf<Promise<number>>();
  // @ts-expect-error: wrong payload
  void s.run('/tmp');
}

export async function untypedStaysLoose(loose: Supervisor, unknownModule: Supervisor<unknown>) {
  expectTypeOf(loose.run(1)).toEqualTypeOf<Promise<unknown>>();
  expectTypeOf(loose.run({ whatever: [1] }, { name: 'anything', timeout: 5 })).toEqualTypeOf<Promise<unknown>>();
  expectTypeOf(loose.run<string>('x', { name: anyString })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(loose.runDetailed<number>(1)).toEqualTypeOf<Promise<JobOutcome<number>>>();
  expectTypeOf(loose.map<number>([1, 'two', null], { name: 'x' })).toEqualTypeOf<AsyncGenerator<number>>();
  expectTypeOf(loose.map<number>([1], { settle: true })).toEqualTypeOf<AsyncGenerator<MapResult<number>>>();
  expectTypeOf(loose.map(new Set([1]))).toEqualTypeOf<AsyncGenerator<unknown>>();
  expectTypeOf(unknownModule.run<string>(1, { name: 'x' })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(unknownModule.run(1)).toEqualTypeOf<Promise<unknown>>();
  // the options are still checked
  // @ts-expect-error: timeout is a number
  void loose.run(1, { timeout: '5s' });
}
