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
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RunDefinition, RunOutcome } from '../define-run.js';
import { OptionError, WorkerNotFoundError } from '../errors.js';
import { mapInputs, type MapResult } from '../supervisor/map.js';
import type { SupervisorOptions } from '../supervisor/options.js';
import { createSupervisor, type Supervisor } from '../supervisor/supervisor.js';
import type { CliFlags } from './args.js';
import { describeOutcome, ndjsonLine, summaryLine, taggedLine } from './format.js';
import type { CliOutput } from './logger.js';
import { loadFile } from './load-file.js';
import { startProgress } from './progress.js';
import { readLines } from './read-lines.js';
import { UsageError } from './usage-error.js';

export interface RunIo {
  stdin: NodeJS.ReadStream;
  stdout: Writable;
  /** The CLI's own lines (banner, notices, summary), in order with the log records. */
  stderr: CliOutput['stderr'];
  log: Logger;
  /** Show the progress line: stderr is a terminal, and not the one the results go to. */
  progress: boolean;
}

/** ms of silence on a terminal stdin before saying that jobs are read from it. */
const STDIN_HINT_DELAY = 1000;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, EPIPE: 141 };
/** sysexits.h EX_IOERR: stdout could not be written (ENOSPC, EIO, ...), so results were lost. */
export const OUTPUT_ERROR_EXIT = 74;

/** A job input, or an input line that could not be parsed (it fails on its own). */
type Entry = { payload: unknown } | { error: Error };

/** Options from the run file (worker resolved against the file's folder), overridden by flags. */
function optionsFor(file: string, definition: RunDefinition | undefined, flags: CliFlags, log: Logger): SupervisorOptions {
  const { jobs: _jobs, name: _name, format: _format, worker, ...rest } = definition ?? { worker: file };
  const resolvedWorker =
    typeof worker === 'string' && !worker.startsWith('file:') ? path.resolve(path.dirname(file), worker) : worker;
  const options: SupervisorOptions = { ...rest, worker: resolvedWorker, logger: log };
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
  ] as const;
  for (const key of overrides) if (flags[key] !== undefined) options[key] = flags[key];
  return options;
}

/**
 * The run file's jobs. An error its own code throws (a `jobs` function, a generator) ends the input, not the
 * run: it goes to `failed`, the jobs already sent finish and print, and it is reported as the run file's.
 */
async function* jobsOf(definition: RunDefinition, stopped: () => boolean, failed: (error: unknown) => void): AsyncGenerator<Entry> {
  let source;
  try {
    source = typeof definition.jobs === 'function' ? await definition.jobs() : definition.jobs;
  } catch (error) {
    return failed(error);
  }
  if (source === null || typeof source !== 'object' || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
    throw new UsageError('the run file\'s `jobs` must be an array, an iterable, an async iterable, or a function returning one');
  }
  try {
    for await (const payload of source as AsyncIterable<unknown>) {
      if (stopped()) return;
      yield { payload };
    }
  } catch (error) {
    failed(error);
  }
}

/** The run file's error with its own stack frames, not those of supervise that called it. */
function describeRunFileError(error: unknown): string {
  const ours = fileURLToPath(new URL('../', import.meta.url));
  const stack = (error as Error)?.stack;
  if (typeof stack !== 'string') return String(error);
  return stack
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) || !(line.includes(ours) || line.includes('node:internal') || line.includes('<anonymous>')))
    .map((line) => {
      // tsx runs a CommonJS run file as a data: URL of its whole compiled text: name the file instead
      const file = /\(data:text\/javascript,.*[?&]filePath=([^?&:)]+)[^)]*\)$/.exec(line)?.[1];
      return file === undefined ? line : line.replace(/\(data:.*\)$/, `(${decodeURIComponent(file).replace(/\?namespace=.*$/, '')})`);
    })
    .join('\n');
}

async function* linesOf(io: RunIo, stopped: () => boolean, maxLineBytes: number): AsyncGenerator<Entry> {
  let line = 0;
  // someone at a terminal who typed nothing may not know the command waits for them
  const hint = io.stdin.isTTY
    ? setTimeout(() => io.stderr.write('supervise: reading jobs from stdin, one JSON value per line; Ctrl-D ends the input\n'), STDIN_HINT_DELAY)
    : undefined;
  for await (const text of readLines(io.stdin, stopped, { maxLineBytes })) {
    clearTimeout(hint);
    line++;
    if (typeof text !== 'string') {
      yield { error: text }; // too long, or not UTF-8
      continue;
    }
    let entry: Entry;
    try {
      entry = { payload: JSON.parse(text) };
    } catch (error) {
      const why = text.trim() === '' ? 'is empty; expected one JSON value' : `is not valid JSON: ${(error as Error).message}`;
      entry = { error: Object.assign(new SyntaxError(`Input line ${line} ${why}`), { code: 'ERR_INVALID_JSON' }) };
    }
    yield entry;
  }
  clearTimeout(hint);
}

/** Writes and waits for the stream to drain when it is full, so output is backpressured too. */
async function write(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return;
  if (!stream.write(text)) {
    await new Promise<void>((resolve) => {
      stream.once('drain', resolve);
      stream.once('close', resolve);
    });
  }
}

/** A run file's `format` hook, its errors reported on the line instead of ending the run. */
function formatWith(format: NonNullable<RunDefinition['format']>, outcome: RunOutcome): { stdout?: string; stderr?: string } {
  let text: string | undefined | void;
  try {
    text = format(outcome);
  } catch (error) {
    return { stderr: `supervise: the run file's format threw for job ${outcome.index}: ${(error as Error)?.message ?? String(error)}\n` };
  }
  if (text === undefined || text === null) return {};
  return { stdout: String(text).endsWith('\n') ? String(text) : `${String(text)}\n` };
}

export async function runCommand(file: string, flags: CliFlags, io: RunIo): Promise<number> {
  const loaded = await loadFile(file);
  const definition = loaded.kind === 'run' ? loaded.definition : undefined;
  let sup: Supervisor;
  try {
    sup = createSupervisor(optionsFor(loaded.path, definition, flags, io.log));
  } catch (error) {
    // the library's hint speaks of the current directory; a run file's relative worker resolves against its folder
    if (error instanceof WorkerNotFoundError && definition) {
      throw new UsageError(`the run file's worker module was not found: tried ${error.tried.join(', ')}; a relative \`worker\` resolves against the run file's folder`);
    }
    if (error instanceof OptionError || error instanceof WorkerNotFoundError) throw new UsageError(error.message);
    throw error;
  }

  let interrupted: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted && interrupted !== 'EPIPE') {
      io.log.warn(`second ${signal}: killing workers`);
      void sup.destroy().finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
      return;
    }
    interrupted = signal;
    io.log.warn(`${signal}: no more input; finishing in-flight jobs (send ${signal} again to stop now)`);
    if (!definition) io.stdin.destroy();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Output that cannot be written stops input like a signal does. The reader of our output went away (`| head`):
  // quietly, and exit as a SIGPIPE'd tool would. Anything else (ENOSPC from `> /dev/full`, EIO): results are being
  // lost, which is said in one line at the end.
  let outputError: Error | undefined;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') interrupted ??= 'EPIPE';
    else outputError ??= error;
    if (!definition) io.stdin.destroy();
  };
  io.stdout.on('error', onOutputError);
  // Gunicorn's operational signals: HUP reloads, TTIN/TTOU grow and shrink the pool
  let size = sup.options.workers;
  const onHup = () => {
    io.log.info('SIGHUP: reloading workers one by one');
    sup.reload().catch((error: Error) => io.log.error(`reload failed: ${error.message}`));
  };
  const onTtin = () => sup.resize(++size);
  const onTtou = () => sup.resize((size = Math.max(1, size - 1)));
  process.on('SIGHUP', onHup);
  process.on('SIGTTIN', onTtin);
  process.on('SIGTTOU', onTtou);

  let sourceError: { error: unknown } | undefined;
  const stopped = () => interrupted !== undefined || outputError !== undefined || sup.state === 'failed' || sourceError !== undefined;
  // a pool that failed runs nothing more: stop reading input, even when none is coming
  sup.once('failed', () => {
    if (!definition) io.stdin.destroy();
  });
  const json = flags.json || !definition;
  const name = flags.name ?? definition?.name;
  const entries = definition ? jobsOf(definition, stopped, (error) => (sourceError = { error })) : linesOf(io, stopped, sup.options.maxFrameSize);
  const total = definition && Array.isArray(definition.jobs) ? definition.jobs.length : undefined;
  const progress = startProgress(io.progress ? io.stderr : { isTTY: false, write() {} }, total);
  const started = performance.now();
  let done = 0;
  const payloads: unknown[] = [];
  let payloadHead = 0;
  let failures = 0;

  if (!json) {
    io.stderr.write(
      `supervise: ${sup.options.workers} worker${sup.options.workers === 1 ? '' : 's'}, each with its own channel: fd 3, an anonymous AF_UNIX stream socketpair (no path in the filesystem)\n`,
    );
  }
  const format = definition?.format;

  // mapInputs calls runEntry once per input, in input order: the count is the input's id
  let nextId = 0;
  const runEntry = (entry: Entry) => {
    const id = nextId++;
    if ('error' in entry) return Promise.reject(entry.error);
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
    const results = mapInputs(runEntry, entries, window, true) as AsyncGenerator<MapResult<Awaited<ReturnType<Supervisor['runDetailed']>>>>;
    for await (const result of results) {
      if (!result.ok) failures++;
      done++;
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
      const outcome = result.ok
        ? { index: result.index, payload, ok: true as const, result: result.value.result, pid: result.value.pid }
        : { index: result.index, payload, ok: false as const, error: result.error };
      // a pool failure is every pending job's error: printed once, at the end, not once per job
      if (!format && !result.ok && result.error === sup.failure) continue;
      const text = format ? formatWith(format, outcome) : describeOutcome(outcome);
      if (text.stdout) await write(io.stdout, text.stdout);
      if (text.stderr) io.stderr.write(text.stderr);
    }
    // a pool whose module cannot load fails even when there was no input to run: wait for a worker or the failure
    if (done === 0 && !stopped()) await sup.ready(1).catch(() => undefined);
  } finally {
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

  if (outputError) io.stderr.write(`supervise: cannot write to stdout: ${outputError.message.split('\n')[0]}\n`);
  else if (sup.state !== 'failed' && flags.logLevel !== 'silent') io.stderr.write(summaryLine(done, failures, performance.now() - started));
  if (sup.state === 'failed') {
    const failure = sup.failure;
    io.stderr.write(`supervise: ${failure?.message ?? 'the worker pool failed'}\n`);
    return 3;
  }
  if (outputError) return OUTPUT_ERROR_EXIT;
  if (interrupted) return SIGNAL_EXIT[interrupted] ?? 1;
  if (sourceError) {
    io.stderr.write(`supervise: the run file's jobs threw, so no more jobs were read: ${describeRunFileError(sourceError.error)}\n`);
    return 1;
  }
  return failures > 0 ? 1 : 0;
}
