/*
 * The supervisor: the public face over a pool of worker processes (pool.ts)
 * and the jobs they run (job-board.ts).
 *
 *   run(payload) ─► JobBoard: encode once, queue (p-queue) ─► least-loaded ready worker ══ fd 3 ══► handler
 *        ▲                                                          │
 *        └──────────── result / error (settles exactly once) ◄──────┘
 *
 *   Pool: reap (exit-policy decides), murder (heartbeats, start and drain deadlines), manage (target size)
 *
 * Its own life is an explicit state machine:
 *
 *   starting ──first ready──► running ──close()──► draining ──► stopping ──► closed
 *       │                        │                    │            ▲
 *       ├────────────────────────┴────destroy()───────┴────────────┘
 *       └──────────── the exit policy gives up ──► failed (terminal; close() still stops the workers)
 */
import { pino } from 'pino';
import { AbortError, CrashLoopError, ReloadError, SupervisorClosedError, UnsafeCacheDirError, WorkerBootError } from '../errors.js';
import { Lifecycle } from '../lifecycle.js';
import { CompileCache, prepareWorkerModule } from './compile.js';
import { TypedEmitter } from './events.js';
import { JobBoard } from './job-board.js';
import { Job } from './job.js';
import { boundedDestination } from './log-destination.js';
import { mapInputs } from './map.js';
import { integerOption, resolveOptions, resolveRunOptions } from './options.js';
import { Pool } from './pool.js';
const SUPERVISOR_MOVES = {
    starting: ['running', 'draining', 'stopping', 'failed'],
    running: ['draining', 'stopping', 'failed'],
    draining: ['stopping', 'failed'],
    stopping: ['closed'],
    closed: [],
    failed: [],
};
/** Attempts at a replacement worker during reload() before it gives up. */
const RELOAD_ATTEMPTS = 3;
/**
 * `Module` is the type of the worker module, `typeof import('./worker.js')`, for typed `run`, `runDetailed` and
 * `map` calls (see `typed.ts`). Without it (`any`, the default, or `unknown`) they are untyped; the default is
 * `any` so that a typed supervisor is still assignable to a plain `Supervisor`.
 */
export class Supervisor extends TypedEmitter {
    options;
    log;
    life = new Lifecycle(SUPERVISOR_MOVES, 'starting', (_from, to) => {
        this.accepting = to === 'starting' || to === 'running';
    });
    /** New jobs are taken (starting or running); kept as a field because every run() asks. */
    accepting = true;
    pool;
    jobs;
    concurrencyFollowsSize;
    failureError;
    closing;
    reloading;
    /** Per-job options when run() is given none; shared, never mutated. */
    defaultRunOptions;
    /** This supervisor's private directory of compiled TypeScript modules, removed when it closes. */
    compiled = new CompileCache();
    constructor(options, hooks = {}) {
        super();
        this.options = resolveOptions(options);
        this.log = this.options.logger ?? pino({ level: this.options.logLevel, base: { name: 'supervise' } }, boundedDestination({ base: { name: 'supervise' } }));
        this.defaultRunOptions = Object.freeze(resolveRunOptions(undefined, this.options));
        this.concurrencyFollowsSize = options.concurrency === undefined;
        const emitSafe = this.emitSafe.bind(this);
        this.pool = new Pool({
            log: this.log,
            emitSafe,
            pump: () => this.jobs.dispatcher.pump(),
            onReady: () => this.life.is('starting') && this.life.to('running'),
            onDraining: (worker) => this.jobs.release(worker),
            onOrphans: (jobs, worker, exit, cause) => this.jobs.orphaned(jobs, worker, exit, cause, this.orphanFailure()),
            onFailed: (error) => this.fail(error),
            onSpawn: hooks.onSpawn,
        }, this.options, undefined, hooks.ipc === true);
        this.jobs = new JobBoard({
            log: this.log,
            emitSafe,
            listenerCount: (event) => this.listenerCount(event),
            accepts: (admitted) => this.accepting || (admitted && this.life.state === 'draining'),
            refusal: () => this.failureError ?? new SupervisorClosedError(),
            onJobLimit: (worker) => this.pool.recycle(worker, `served ${worker.jobsStarted} jobs (maxJobsPerWorker)`),
        }, this.options, this.pool.workers);
        this.updateFastPath();
        void this.prepareModule().then(() => this.pool.manage(), (error) => this.fail(error instanceof UnsafeCacheDirError ? error : this.compileFailure(error, 0)));
    }
    get state() {
        return this.life.state;
    }
    /** The error that put the supervisor in the failed state (crash loop, boot failure). */
    get failure() {
        return this.failureError;
    }
    run(payload, options) {
        try {
            return this.runResolved(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options));
        }
        catch (error) {
            return Promise.reject(error);
        }
    }
    /** run() with options already validated: map() validates once for all its jobs. */
    runResolved(payload, options) {
        try {
            const job = this.jobs.submit(payload, options);
            return (job instanceof Job ? job.promise : job.then((admitted) => admitted.promise));
        }
        catch (error) {
            return Promise.reject(error);
        }
    }
    async runDetailed(payload, options) {
        const job = await this.jobs.submit(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options));
        const result = (await job.promise);
        return { result, jobId: job.id, pid: job.servedBy, attempts: job.attempts };
    }
    stream(payload, options) {
        let submitted;
        try {
            submitted = this.jobs.submit(payload, options === undefined ? this.defaultRunOptions : resolveRunOptions(options, this.options), true);
        }
        catch (error) {
            submitted = Promise.reject(error);
        }
        // the job runs (and may fail) even before the caller starts reading: its failure is the reader's, not an unhandled rejection
        void Promise.resolve(submitted).then((job) => job.promise.catch(() => { }), () => { });
        return this.readStream(submitted);
    }
    async *readStream(submitted) {
        const job = await submitted;
        try {
            for (;;) {
                await job.nextChunk();
                if (job.flow.chunks.length > 0)
                    yield this.jobs.take(job);
                else
                    break;
            }
            await job.promise;
        }
        finally {
            if (!job.settled)
                this.jobs.abort(job, new AbortError('The stream was closed by its reader'));
        }
    }
    map(inputs, options = {}) {
        const window = integerOption('window', options.window, 1, Math.min(Math.max(this.options.concurrency, 1), 4096) * 2);
        const { name, timeout, retries, signal } = options;
        const runOptions = resolveRunOptions({ name, timeout, retries, signal }, this.options);
        return mapInputs((payload) => this.runResolved(payload, runOptions), inputs, window, options.settle === true);
    }
    /** Each live worker: its state, load, and what its last heartbeat said (RSS, event-loop delay). */
    workerStats() {
        const now = Date.now();
        return [...this.pool.workers].map((worker) => ({
            workerId: worker.id,
            pid: worker.pid,
            state: worker.state,
            inFlight: worker.inFlight.size,
            jobs: worker.jobsStarted,
            rss: worker.rss,
            loopDelay: worker.loopDelay,
            silentFor: now - worker.lastBeat,
        }));
    }
    stats() {
        let inFlight = 0;
        for (const worker of this.pool.workers)
            inFlight += worker.inFlight.size;
        return {
            workers: this.pool.workers.size,
            ready: this.pool.count('ready'),
            starting: this.pool.count('starting'),
            draining: this.pool.count('draining'),
            queued: this.jobs.queued,
            inFlight,
            ...this.jobs.counts,
            restarts: this.pool.restarts,
            recycled: this.pool.recycled,
            state: this.life.state,
            timing: this.jobs.timings.stats(performance.now(), Math.min(this.pool.target * this.options.perWorker, this.jobs.dispatcher.queue.concurrency)),
        };
    }
    /** Resolves when no job is queued or running. */
    onIdle() {
        return this.jobs.onIdle();
    }
    /** Resolves when `count` workers (default: the pool size) are ready. */
    async ready(count = this.pool.target) {
        while (this.pool.count('ready') < count) {
            if (this.failureError)
                throw this.failureError;
            if (this.life.is('closed'))
                throw new SupervisorClosedError();
            if (this.life.is('draining', 'stopping'))
                throw new SupervisorClosedError('The supervisor is closing; no more workers will become ready');
            await new Promise((resolve) => {
                const done = () => {
                    this.off('worker:ready', done);
                    this.off('failed', done);
                    this.off('close', done);
                    resolve();
                };
                this.on('worker:ready', done);
                this.on('failed', done);
                this.on('close', done);
            });
        }
    }
    /** Changes the pool size; extra workers finish their jobs (within drainTimeout) before they exit. */
    resize(workers) {
        this.pool.target = integerOption('workers', workers, 1, this.pool.target);
        // a concurrency that was derived from the pool size follows it
        if (this.concurrencyFollowsSize)
            this.jobs.dispatcher.queue.concurrency = this.pool.target * this.options.perWorker;
        this.updateFastPath();
        this.pool.manage();
        this.emitSafe('resize', { workers: this.pool.target, capacity: this.capacity });
    }
    /** Jobs the pool can run at once at its target size: workers × perWorker, or less when `concurrency` caps it. */
    get capacity() {
        return Math.min(this.pool.target * this.options.perWorker, this.jobs.dispatcher.queue.concurrency);
    }
    updateFastPath() {
        this.jobs.dispatcher.fastPath = this.jobs.dispatcher.queue.concurrency >= this.pool.target * this.options.perWorker;
    }
    /**
     * Rolling restart: each worker in turn is replaced by a fresh one, which is
     * ready before the old one stops taking jobs. No job fails or is lost.
     * Calls made while one is under way share it.
     */
    reload() {
        return (this.reloading ??= this.reloadNow().finally(() => {
            this.reloading = undefined;
        }));
    }
    async reloadNow() {
        if (!this.life.is('starting', 'running'))
            throw this.failureError ?? new SupervisorClosedError('The supervisor is closing; reload() does nothing');
        // pick up code changes: a module that no longer compiles rejects here, and the old workers stay
        try {
            await this.prepareModule();
        }
        catch (error) {
            if (error instanceof UnsafeCacheDirError)
                throw new ReloadError(`reload() failed: ${error.message}; the running workers were kept`, { cause: error });
            throw new ReloadError('reload() failed: the worker module does not compile; the running workers were kept', { cause: this.compileFailure(error, 0).cause });
        }
        const old = [...this.pool.workers].filter((w) => w.state === 'starting' || w.state === 'ready');
        for (const worker of old) {
            let lastExit;
            let attempts = 0;
            // the old worker may also end on its own meanwhile (a crash, a kill); the pool then replaces it with the new code anyway
            while (worker.state === 'starting' || worker.state === 'ready') {
                if (!this.life.is('starting', 'running'))
                    throw this.failureError ?? new SupervisorClosedError('The supervisor closed during reload()');
                if (attempts === RELOAD_ATTEMPTS)
                    break;
                const replacement = worker.replacedBy ?? this.pool.replace(worker, 'reload', 'reload');
                if (!replacement)
                    break;
                attempts++;
                lastExit = await this.waitReplacement(replacement);
                if (!this.life.is('starting', 'running'))
                    throw this.failureError ?? new SupervisorClosedError('The supervisor closed during reload()');
                if (!lastExit)
                    break;
            }
            if (lastExit) {
                throw new ReloadError(`reload() failed: ${attempts} replacement worker${attempts === 1 ? '' : 's'} in a row did not start; the workers not yet replaced were kept`, { cause: lastExit });
            }
            await worker.exited;
        }
    }
    /** Waits until a replacement is ready (undefined) or has ended (the error that says why). */
    async waitReplacement(replacement) {
        let why;
        const onExit = (event) => {
            if (event.workerId === replacement.id)
                why = new WorkerBootError({ module: this.options.workerPath, reason: event.reason, exitCode: event.exitCode, signal: event.signal, stderrTail: '' });
        };
        this.on('worker:exit', onExit);
        await Promise.race([replacement.readied, replacement.exited]);
        this.off('worker:exit', onExit);
        return replacement.state === 'exited' ? why : undefined;
    }
    /**
     * Graceful shutdown: takes no new jobs, finishes queued and in-flight ones
     * (for up to `timeout`, by default `drainTimeout`; the rest are then
     * rejected), sends every worker a shutdown frame and waits for it to exit,
     * killing those that do not within `killGrace`.
     */
    close(options = {}) {
        return (this.closing ??= this.closeNow(options));
    }
    /** Rejects everything pending and kills the workers (and their process groups) at once. */
    async destroy(error = new SupervisorClosedError('The supervisor was destroyed')) {
        this.life.to('stopping');
        this.jobs.rejectAll(error);
        this.emitSafe('close');
        await this.pool.stopAll('destroy', 0);
        this.finish();
    }
    async [Symbol.asyncDispose]() {
        await this.close();
    }
    async closeNow(options) {
        const timeout = integerOption('timeout', options.timeout, 0, this.options.drainTimeout, true);
        if (this.life.to('draining')) {
            const idle = this.jobs.onIdle();
            if (timeout === Infinity)
                await idle;
            else {
                let timer;
                await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, timeout)))]);
                clearTimeout(timer);
                this.jobs.rejectAll(new SupervisorClosedError(`The supervisor closed before the job finished (close timeout ${timeout} ms)`));
            }
        }
        this.life.to('stopping');
        this.emitSafe('close');
        await this.pool.stopAll('close', this.options.killGrace + 1000);
        this.finish();
    }
    finish() {
        this.pool.dispose();
        this.compiled.dispose();
        this.life.to('closed');
    }
    /** What the jobs of a dead worker get instead of a retry: the failure, or a closed error once nothing will run them. */
    orphanFailure() {
        if (this.failureError)
            return this.failureError;
        if (this.life.is('stopping', 'closed'))
            return new SupervisorClosedError('The supervisor closed before the job finished');
        return undefined;
    }
    /** Emits an event; a listener that throws is logged, and cannot break the supervisor's own bookkeeping. */
    emitSafe(event, ...args) {
        try {
            this.emit(event, ...args);
        }
        catch (error) {
            this.log.error({ err: error, event }, 'an event listener threw');
        }
    }
    /** Compiles a TypeScript module once for all workers; JavaScript modules are loaded as they are. */
    async prepareModule() {
        this.pool.module = await prepareWorkerModule(this.options.worker, this.compiled);
    }
    /** A module that does not compile: no worker could ever start. */
    compileFailure(error, restarts) {
        const why = `it does not compile: ${error?.message ?? String(error)}`;
        const bootError = new WorkerBootError({ module: this.options.workerPath, reason: why, exitCode: null, signal: null, stderrTail: '' }, { cause: error });
        return new CrashLoopError({ restarts, windowMs: this.options.restartWindow, reason: `module ${this.options.workerPath} failed to boot: ${why}`, exitCode: null, signal: null, stderrTail: '' }, { cause: bootError });
    }
    /** Enters the failed state: every pending job rejects with `error`, workers are stopped. */
    fail(error) {
        if (!this.life.to('failed'))
            return;
        this.failureError = error;
        this.log.error({ err: error }, 'supervisor failed');
        this.jobs.rejectAll(error);
        this.pool.killAll('failed', 'the supervisor failed');
        this.emitSafe('failed', error);
    }
}
/**
 * Creates a supervisor and starts its workers. Give it the worker module's type,
 * `createSupervisor<typeof import('./workers/resize.js')>(…)`, for typed jobs.
 */
export function createSupervisor(options) {
    return new Supervisor(options);
}
//# sourceMappingURL=supervisor.js.map