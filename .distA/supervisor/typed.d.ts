import type { MapOptions } from './map.js';
import type { RunOptions } from './options.js';
/** True when `Module` carries no handler types: `unknown` (the default) or `any`. */
export type IsUntyped<Module> = unknown extends Module ? true : false;
type AnyFunction = (...args: any[]) => any;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** True when a handler's return type is an async iterable (an async generator): its chunks are for `stream()`, not `run()`. */
type IsStreamResult<R> = IsAny<R> extends true ? false : [R] extends [never] ? false : [R] extends [AsyncIterable<unknown>] ? true : false;
/** Every handler name of a worker module: its callable members (`'default'` for the default export). */
export type HandlerName<Module> = IsUntyped<Module> extends true ? string : {
    [K in keyof Module & string]: Module[K] extends AnyFunction ? K : never;
}[keyof Module & string];
/** The handlers whose result is an async iterable (async generators); none when untyped. */
type GeneratorHandlerName<Module> = IsUntyped<Module> extends true ? never : {
    [K in keyof Module & string]: Module[K] extends (...args: any[]) => infer R ? (IsStreamResult<R> extends true ? K : never) : never;
}[keyof Module & string];
/** The handlers whose result is an async iterable (async generators): what a `stream()` call can name. */
export type StreamHandlerName<Module> = IsUntyped<Module> extends true ? string : GeneratorHandlerName<Module>;
/**
 * The handlers `run()`, `runDetailed()` and `map()` accept: all of them. An
 * async generator handler run this way is drained: its chunks are dropped and
 * the call resolves with its return value (use `stream()` for the chunks).
 */
export type RunHandlerName<Module> = HandlerName<Module>;
/**
 * The name used when `name` is omitted: `'default'` when the module has a default export (among `Allowed`),
 * otherwise `never`. (Also `never` when untyped, where the name types nothing.)
 */
export type DefaultHandlerName<Module, Allowed extends string = RunHandlerName<Module>> = Extract<Allowed, 'default'>;
/** What a handler with no payload parameter accepts: anything, since it ignores its payload. */
type PayloadOfHandler<F> = F extends (...args: infer A) => any ? (A extends [] ? unknown : A[0]) : never;
/** The payload type the handler `Name` of `Module` takes (`unknown` for a handler with no parameter). */
export type PayloadOf<Module, Name extends HandlerName<Module> = DefaultHandlerName<Module>> = IsUntyped<Module> extends true ? unknown : [Name] extends [never] ? NoDefaultHandler : PayloadOfHandler<Module[Name & keyof Module]>;
/**
 * What `run()` resolves with for the handler `Name` of `Module`: its return
 * value with any Promise unwrapped, or a generator's return value.
 */
export type ResultOf<Module, Name extends HandlerName<Module> = DefaultHandlerName<Module>> = IsUntyped<Module> extends true ? unknown : Module[Name & keyof Module] extends (...args: any[]) => infer R ? IsStreamResult<R> extends true ? R extends AsyncGenerator<unknown, infer Return, any> ? Return : undefined : Awaited<R> : never;
/**
 * The chunk type of an async generator handler (what a `stream()` call will
 * yield); `never` for a handler that is not one, `unknown` for an untyped module.
 */
export type ChunkOf<Module, Name extends HandlerName<Module> = DefaultHandlerName<Module, HandlerName<Module>>> = IsUntyped<Module> extends true ? unknown : Module[Name & keyof Module] extends (...args: any[]) => infer R ? IsStreamResult<R> extends true ? R extends AsyncIterable<infer C> ? C : never : never : never;
/**
 * The payload parameter type when the module has no default export and no
 * `name` was given: no value matches it, and the compiler's message says why.
 */
export type NoDefaultHandler = 'the worker module has no default export: pass the handler `name` in the options';
/** `run()` / `runDetailed()` options for the handler `Name`. */
export type TypedRunOptions<Module, Name extends string> = IsUntyped<Module> extends true ? RunOptions : Omit<RunOptions, 'name'> & {
    name?: Name;
};
/** `map()` options for the handler `Name`. */
export type TypedMapOptions<Module, Name extends string> = IsUntyped<Module> extends true ? MapOptions : Omit<MapOptions, 'name'> & {
    name?: Name;
};
/** The chunk type of a `stream()` call: the generator's for a typed module, the caller's type argument `C` otherwise. */
export type StreamChunk<Module, Name extends string, C> = IsUntyped<Module> extends true ? C : ChunkOf<Module, Name & HandlerName<Module>>;
/** The result type of a `run()` call: the handler's for a typed module, the caller's type argument `R` (default `unknown`) otherwise. */
export type RunResult<Module, Name extends string, R> = IsUntyped<Module> extends true ? R : ResultOf<Module, Name & HandlerName<Module>>;
export {};
