/*
 * Every supervisor option is validated and defaulted here, once, so the rest of
 * the code can trust a ResolvedOptions. Messages follow one shape:
 * Expected `workers` to be an integer from 1 and up, got `0` (number)
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OptionError } from '../errors.js';
import { DEFAULT_MAX_FRAME_SIZE, isPlainJson, MAX_META_SIZE } from '../protocol/index.js';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
function show(value) {
    let text;
    try {
        text = typeof value === 'bigint' ? `${value}n` : typeof value === 'symbol' ? value.toString() : (JSON.stringify(value) ?? String(value));
    }
    catch {
        text = String(value);
    }
    return `\`${text}\` (${value === null ? 'null' : typeof value})`;
}
/** Throws the standard option message. */
export function invalid(name, expected, value) {
    throw new OptionError(`Expected \`${name}\` to be ${expected}, got ${show(value)}`);
}
export function integerOption(name, value, min, fallback, allowInfinity = false) {
    if (value === undefined)
        return fallback;
    if (allowInfinity && value === Infinity)
        return value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        invalid(name, `an integer from ${min} and up${allowInfinity ? ' (or Infinity)' : ''}`, value);
    }
    return value;
}
function oneOf(name, value, choices, fallback) {
    if (value === undefined)
        return fallback;
    if (typeof value !== 'string' || !choices.includes(value))
        invalid(name, `one of ${choices.map((c) => `\`${c}\``).join(', ')}`, value);
    return value;
}
/** Resolves the worker option to a file URL; relative paths resolve against `base` (the current directory). */
export function resolveWorker(value, base = process.cwd()) {
    if (value instanceof URL || (typeof value === 'string' && value.startsWith('file:'))) {
        const url = new URL(String(value));
        if (url.protocol !== 'file:')
            invalid('worker', 'a path or a file: URL', String(value));
        return { url: url.href, path: fileURLToPath(url) };
    }
    if (typeof value !== 'string' || value.length === 0)
        invalid('worker', 'a path or a file: URL', value);
    const absolute = path.resolve(base, value);
    return { url: pathToFileURL(absolute).href, path: absolute };
}
/** Validates and defaults all options; the only place that knows option rules. */
export function resolveOptions(options) {
    if (options === null || typeof options !== 'object')
        invalid('options', 'an object', options);
    const worker = resolveWorker(options.worker);
    const workers = integerOption('workers', options.workers, 1, availableParallelism());
    const perWorker = integerOption('perWorker', options.perWorker, 1, 1);
    const concurrency = integerOption('concurrency', options.concurrency, 1, workers * perWorker, true);
    const heartbeatInterval = integerOption('heartbeatInterval', options.heartbeatInterval, 0, 1000);
    const heartbeatTimeout = integerOption('heartbeatTimeout', options.heartbeatTimeout, 1, 10_000);
    if (heartbeatInterval > 0 && heartbeatTimeout <= heartbeatInterval) {
        invalid('heartbeatTimeout', `an integer greater than \`heartbeatInterval\` (${heartbeatInterval})`, heartbeatTimeout);
    }
    const restartDelay = integerOption('restartDelay', options.restartDelay, 0, 100);
    const maxRestartDelay = integerOption('maxRestartDelay', options.maxRestartDelay, restartDelay, Math.max(5000, restartDelay));
    if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel))
        invalid('logLevel', `one of ${LOG_LEVELS.join(', ')}`, options.logLevel);
    if (options.env !== undefined && (options.env === null || typeof options.env !== 'object'))
        invalid('env', 'an object', options.env);
    if (options.execArgv !== undefined && (!Array.isArray(options.execArgv) || options.execArgv.some((a) => typeof a !== 'string'))) {
        invalid('execArgv', 'an array of strings', options.execArgv);
    }
    if (options.cwd !== undefined && typeof options.cwd !== 'string')
        invalid('cwd', 'a string', options.cwd);
    return {
        worker: worker.url,
        workerPath: worker.path,
        workers,
        perWorker,
        concurrency,
        retries: integerOption('retries', options.retries, 0, 2),
        timeout: integerOption('timeout', options.timeout, 0, 0),
        killGrace: integerOption('killGrace', options.killGrace, 0, 1000),
        heartbeatInterval,
        heartbeatTimeout,
        startTimeout: integerOption('startTimeout', options.startTimeout, 1, 60_000),
        drainTimeout: integerOption('drainTimeout', options.drainTimeout, 0, 30_000, true),
        maxRestarts: integerOption('maxRestarts', options.maxRestarts, 0, 10, true),
        restartWindow: integerOption('restartWindow', options.restartWindow, 1, 60_000),
        restartDelay,
        maxRestartDelay,
        maxJobsPerWorker: integerOption('maxJobsPerWorker', options.maxJobsPerWorker, 1, Infinity, true),
        maxMemory: integerOption('maxMemory', options.maxMemory, 1, Infinity, true),
        maxQueue: integerOption('maxQueue', options.maxQueue, 1, Infinity, true),
        queueFull: oneOf('queueFull', options.queueFull, ['reject', 'wait'], 'reject'),
        maxFrameSize: integerOption('maxFrameSize', options.maxFrameSize, 1024, DEFAULT_MAX_FRAME_SIZE),
        logger: options.logger,
        logLevel: options.logLevel ?? 'info',
        env: options.env ?? {},
        execArgv: options.execArgv ?? [],
        cwd: options.cwd ?? process.cwd(),
    };
}
/** Validates per-job options against the supervisor's defaults. */
export function resolveRunOptions(options, defaults) {
    if (options === undefined)
        return { name: 'default', signal: undefined, timeout: defaults.timeout, retries: defaults.retries, meta: undefined, onProgress: undefined, input: undefined, onChunk: undefined };
    if (options === null || typeof options !== 'object')
        invalid('options', 'an object', options);
    const { name = 'default', signal, onProgress, onChunk } = options;
    if (onChunk !== undefined && typeof onChunk !== 'function')
        invalid('onChunk', 'a function', onChunk);
    if (typeof name !== 'string' || name.length === 0)
        invalid('name', 'a non-empty string', name);
    if (signal !== undefined && !(signal instanceof AbortSignal))
        invalid('signal', 'an AbortSignal', signal);
    if (onProgress !== undefined && typeof onProgress !== 'function')
        invalid('onProgress', 'a function', onProgress);
    const { input } = options;
    if (input !== undefined &&
        (input === null || typeof input !== 'object' || (typeof input[Symbol.asyncIterator] !== 'function' && typeof input[Symbol.iterator] !== 'function'))) {
        invalid('input', 'an AsyncIterable, a Readable or an Iterable', input);
    }
    return {
        name,
        signal,
        timeout: integerOption('timeout', options.timeout, 0, defaults.timeout),
        retries: integerOption('retries', options.retries, 0, defaults.retries),
        meta: options.meta === undefined ? undefined : metaText(options.meta),
        onProgress,
        input,
        onChunk,
    };
}
/** `meta` as JSON text: plain JSON data of at most 64 KiB. */
function metaText(meta) {
    // exactly what JSON carries: a function, undefined or NaN inside would be dropped or changed on the way
    if (!isPlainJson(meta))
        invalid('meta', 'JSON data (plain objects, arrays, strings, finite numbers, booleans, null)', meta);
    const text = JSON.stringify(meta);
    if (Buffer.byteLength(text, 'utf8') > MAX_META_SIZE)
        invalid('meta', `at most ${MAX_META_SIZE} bytes of JSON`, `${text.slice(0, 40)}…`);
    return text;
}
//# sourceMappingURL=options.js.map