/*
 * `supervise run <file>`. Inputs flow through a bounded window:
 *
 *   run file jobs ─┐
 *                  ├─► mapInputs (ordered, ≤ window in flight) ─► supervisor ─► results in input order ─► stdout
 *   stdin NDJSON ──┘
 *
 * A first SIGINT/SIGTERM stops reading input; in-flight jobs finish and are
 * printed. A second one kills the workers and exits at once. Output that
 * cannot be written (the reader went away, a full disk) stops input the same
 * way, quietly for EPIPE (exit 141), with one line on stderr otherwise (74).
 */
import path from 'node:path';
import { OptionError } from '../errors.js';
import { mapInputs } from '../supervisor/map.js';
import { createSupervisor } from '../supervisor/supervisor.js';
import { ndjsonLine, taggedLine, show } from './format.js';
import { loadFile } from './load-file.js';
import { startProgress } from './progress.js';
import { readLines } from './read-lines.js';
import { UsageError } from './usage-error.js';
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, EPIPE: 141 };
/** sysexits.h EX_IOERR: stdout could not be written (ENOSPC, EIO, ...), so results were lost. */
export const OUTPUT_ERROR_EXIT = 74;
/** Options from the run file (worker resolved against the file's folder), overridden by flags. */
function optionsFor(file, definition, flags, log) {
    const { jobs: _jobs, name: _name, worker, ...rest } = definition ?? { worker: file };
    const resolvedWorker = typeof worker === 'string' && !worker.startsWith('file:') ? path.resolve(path.dirname(file), worker) : worker;
    const options = { ...rest, worker: resolvedWorker, logger: log };
    const overrides = [
        'workers',
        'concurrency',
        'perWorker',
        'retries',
        'timeout',
        'killGrace',
        'drainTimeout',
        'maxRestarts',
        'restartWindow',
        'restartDelay',
        'maxRestartDelay',
        'heartbeatInterval',
        'heartbeatTimeout',
        'maxJobsPerWorker',
        'maxMemory',
        'maxFrameSize',
    ];
    for (const key of overrides)
        if (flags[key] !== undefined)
            options[key] = flags[key];
    return options;
}
async function* jobsOf(definition, stopped) {
    const source = typeof definition.jobs === 'function' ? await definition.jobs() : definition.jobs;
    if (source === null || typeof source !== 'object' || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
        throw new UsageError('the run file\'s `jobs` must be an array, an iterable, an async iterable, or a function returning one');
    }
    for await (const payload of source) {
        if (stopped())
            return;
        yield { payload };
    }
}
async function* linesOf(io, stopped, maxLineBytes) {
    let line = 0;
    for await (const text of readLines(io.stdin, stopped, { maxLineBytes })) {
        line++;
        if (typeof text !== 'string') {
            yield { error: text }; // too long, or not UTF-8
            continue;
        }
        let entry;
        try {
            entry = { payload: JSON.parse(text) };
        }
        catch (error) {
            const why = text.trim() === '' ? 'is empty; expected one JSON value' : `is not valid JSON: ${error.message}`;
            entry = { error: Object.assign(new SyntaxError(`Input line ${line} ${why}`), { code: 'ERR_INVALID_JSON' }) };
        }
        yield entry;
    }
}
/** Writes and waits for the stream to drain when it is full, so output is backpressured too. */
async function write(stream, text) {
    if (stream.destroyed || stream.writableEnded)
        return;
    if (!stream.write(text)) {
        await new Promise((resolve) => {
            stream.once('drain', resolve);
            stream.once('close', resolve);
        });
    }
}
export async function runCommand(file, flags, io) {
    const loaded = await loadFile(file);
    const definition = loaded.kind === 'run' ? loaded.definition : undefined;
    let sup;
    try {
        sup = createSupervisor(optionsFor(loaded.path, definition, flags, io.log));
    }
    catch (error) {
        if (error instanceof OptionError)
            throw new UsageError(error.message);
        throw error;
    }
    let interrupted;
    const onSignal = (signal) => {
        if (interrupted && interrupted !== 'EPIPE') {
            io.log.warn(`second ${signal}: killing workers`);
            void sup.destroy().finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
            return;
        }
        interrupted = signal;
        io.log.warn(`${signal}: no more input; finishing in-flight jobs (send ${signal} again to stop now)`);
        if (!definition)
            io.stdin.destroy();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Output that cannot be written stops input like a signal does. The reader of our output went away (`| head`):
    // quietly, and exit as a SIGPIPE'd tool would. Anything else (ENOSPC from `> /dev/full`, EIO): results are being
    // lost, which is said in one line at the end.
    let outputError;
    const onOutputError = (error) => {
        if (error.code === 'EPIPE')
            interrupted ??= 'EPIPE';
        else
            outputError ??= error;
        if (!definition)
            io.stdin.destroy();
    };
    io.stdout.on('error', onOutputError);
    // Gunicorn's operational signals: HUP reloads, TTIN/TTOU grow and shrink the pool
    let size = sup.options.workers;
    const onHup = () => {
        io.log.info('SIGHUP: reloading workers one by one');
        sup.reload().catch((error) => io.log.error(`reload failed: ${error.message}`));
    };
    const onTtin = () => sup.resize(++size);
    const onTtou = () => sup.resize((size = Math.max(1, size - 1)));
    process.on('SIGHUP', onHup);
    process.on('SIGTTIN', onTtin);
    process.on('SIGTTOU', onTtou);
    const stopped = () => interrupted !== undefined || outputError !== undefined || sup.state === 'failed';
    // a pool that failed runs nothing more: stop reading input, even when none is coming
    sup.once('failed', () => {
        if (!definition)
            io.stdin.destroy();
    });
    const json = flags.json || !definition;
    const name = flags.name ?? definition?.name;
    const entries = definition ? jobsOf(definition, stopped) : linesOf(io, stopped, sup.options.maxFrameSize);
    const total = definition && Array.isArray(definition.jobs) ? definition.jobs.length : undefined;
    const progress = startProgress(io.stderr, total);
    const payloads = [];
    let payloadHead = 0;
    let failures = 0;
    if (!json) {
        await write(io.stdout, `supervise: ${sup.options.workers} worker${sup.options.workers === 1 ? '' : 's'}, each with its own channel: fd 3, an anonymous AF_UNIX stream socketpair (no path in the filesystem)\n`);
    }
    // mapInputs calls runEntry once per input, in input order: the count is the input's id
    let nextId = 0;
    const runEntry = (entry) => {
        const id = nextId++;
        if ('error' in entry)
            return Promise.reject(entry.error);
        if (!json) {
            payloads.push(entry.payload);
            return sup.runDetailed(entry.payload, name ? { name } : undefined);
        }
        // NDJSON: a generator handler's chunks as {"id","chunk"} lines (the worker waits while stdout is slow), and
        // with --progress each progress value as an {"id","progress"} line, both before the job's final line
        return sup.runDetailed(entry.payload, {
            name,
            onChunk: (chunk) => write(io.stdout, taggedLine(id, 'chunk', chunk)),
            onProgress: flags.progress ? (value) => write(io.stdout, taggedLine(id, 'progress', value)) : undefined,
        });
    };
    const window = Math.min(Math.max(sup.options.concurrency === Infinity ? 1024 : sup.options.concurrency, 1), 4096) * 2;
    try {
        const results = mapInputs(runEntry, entries, window, true);
        for await (const result of results) {
            if (!result.ok)
                failures++;
            progress.tick(result.ok);
            if (json) {
                await write(io.stdout, ndjsonLine(result.index, result.ok, result.ok ? result.value.result : result.error));
                continue;
            }
            const payload = payloads[payloadHead];
            payloads[payloadHead++] = undefined;
            if (payloadHead > 1024 && payloadHead * 2 > payloads.length) {
                payloads.splice(0, payloadHead);
                payloadHead = 0;
            }
            const line = result.ok
                ? `Send: ${show(payload)}\nEcho: ${show(result.value.result)}  (worker pid ${result.value.pid})\n`
                : `Send: ${show(payload)}\nFail: ${result.error.name}: ${result.error.message.split('\n')[0]}\n`;
            await write(io.stdout, line);
        }
    }
    finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('SIGHUP', onHup);
        process.off('SIGTTIN', onTtin);
        process.off('SIGTTOU', onTtou);
        if (interrupted) {
            // keep a second signal able to stop the shutdown
            process.once('SIGINT', onSignal);
            process.once('SIGTERM', onSignal);
        }
        await sup.close();
    }
    if (outputError)
        io.stderr.write(`supervise: cannot write to stdout: ${outputError.message.split('\n')[0]}\n`);
    if (sup.state === 'failed') {
        const failure = sup.failure;
        io.stderr.write(`supervise: ${failure?.message ?? 'the worker pool failed'}\n`);
        return 3;
    }
    if (outputError)
        return OUTPUT_ERROR_EXIT;
    if (interrupted)
        return SIGNAL_EXIT[interrupted] ?? 1;
    return failures > 0 ? 1 : 0;
}
//# sourceMappingURL=run.js.map