import { CrashLoopError } from '../errors.js';
import { classifyExit, decideExit, EMPTY_HISTORY, recentCrashes } from './exit-policy.js';
import { planSize } from './manage.js';
import { findVictims } from './murder.js';
import { WorkerHandle } from './worker-handle.js';
export class Pool {
    host;
    options;
    module;
    ipc;
    workers = new Set();
    target;
    /** No spawns, no restarts: the supervisor is stopping or failed. */
    stopped = false;
    everReady = false;
    restarts = 0;
    recycled = 0;
    history = EMPTY_HISTORY;
    restartTimers = new Set();
    /** Recycles to try again after a replacement failed to start. */
    retryTimers = new Set();
    nextWorkerId = 1;
    murderTimer;
    constructor(host, options, 
    /** What workers load; set once the module is compiled. */
    module, ipc) {
        this.host = host;
        this.options = options;
        this.module = module;
        this.ipc = ipc;
        this.target = options.workers;
        const every = Math.min(options.heartbeatInterval || 1000, options.startTimeout, options.drainTimeout || 1000, 1000);
        this.murderTimer = setInterval(() => this.murder(), Math.max(every, 10));
        this.murderTimer.unref();
    }
    get log() {
        return this.host.log;
    }
    count(state) {
        let n = 0;
        for (const worker of this.workers)
            if (worker.state === state)
                n++;
        return n;
    }
    // ── manage ─────────────────────────────────────────────────────────
    /** Spawns or retires workers until the pool matches its target size. */
    manage() {
        if (!this.module || this.stopped)
            return;
        const plan = planSize(this.workers, this.target, this.restartTimers.size);
        for (let i = 0; i < plan.cancelRestarts; i++) {
            const [timer] = this.restartTimers;
            clearTimeout(timer);
            this.restartTimers.delete(timer);
        }
        for (const worker of plan.retire)
            this.retire(worker, 'resize', 'the pool shrank');
        for (let i = 0; i < plan.spawn; i++)
            if (!this.spawn())
                return;
    }
    /** Starts a worker; undefined when the module it would load failed its check (the supervisor then fails). */
    spawn() {
        try {
            // right before each spawn: a compiled file swapped since it was written is never run
            this.module.verify();
        }
        catch (error) {
            this.host.onFailed(error);
            return undefined;
        }
        const { maxJobsPerWorker } = this.options;
        const jitter = maxJobsPerWorker === Infinity ? Infinity : Math.max(1, Math.round(maxJobsPerWorker * (0.9 + Math.random() * 0.2)));
        const worker = new WorkerHandle(this.nextWorkerId++, this, this.options, jitter, this.module, this.ipc);
        this.workers.add(worker);
        if (worker.pid !== undefined)
            this.host.onSpawn?.(worker);
        this.host.emitSafe('worker:spawn', { workerId: worker.id, pid: worker.pid });
        return worker;
    }
    /** Stops sending a worker jobs and lets it exit after its in-flight ones (within drainTimeout). */
    retire(worker, order, reason) {
        if (worker.state === 'exited' || worker.state === 'stopping' || worker.state === 'draining')
            return;
        worker.drain(order, reason);
        this.host.onDraining(worker);
    }
    /**
     * Starts a replacement for `worker`; the old one keeps serving until the
     * replacement is ready, then drains. No capacity dip. Returns the
     * replacement, or undefined when one is already starting.
     */
    replace(worker, order, reason) {
        if (this.stopped || worker.replacedBy || (worker.state !== 'ready' && worker.state !== 'starting'))
            return undefined;
        const replacement = this.spawn();
        if (!replacement)
            return undefined;
        replacement.replaces = worker;
        worker.replacedBy = replacement;
        worker.replaceOrder = { order, reason };
        return replacement;
    }
    /** Recycles a worker (maxJobsPerWorker, maxMemory) through a replacement. */
    recycle(worker, reason) {
        if (worker.state !== 'ready' || worker.replacedBy || this.stopped)
            return;
        // a worker whose earlier replacement failed to start is already counted and announced
        if (!worker.replaceOrder) {
            this.recycled++;
            this.log.info({ workerId: worker.id, pid: worker.pid, reason }, 'recycling worker');
            this.host.emitSafe('worker:recycle', { workerId: worker.id, pid: worker.pid, reason });
        }
        this.replace(worker, 'recycle', `recycle: ${reason}`);
    }
    /**
     * A replacement died before it was ready. A reload tries again itself; a
     * recycle is tried again after `delay`, since the old worker may never be
     * given another job to trigger it (all its slots held by hung jobs).
     */
    retryRecycle(old, delay) {
        if (old.replaceOrder?.order !== 'recycle')
            return;
        const reason = old.replaceOrder.reason;
        const timer = setTimeout(() => {
            this.retryTimers.delete(timer);
            if (old.state === 'ready' && !old.replacedBy && !this.stopped)
                this.replace(old, 'recycle', reason);
        }, delay);
        this.retryTimers.add(timer);
    }
    // ── murder ─────────────────────────────────────────────────────────
    murder() {
        for (const { worker, order, reason } of findVictims(this.workers, Date.now(), this.options))
            worker.kill(order, reason);
    }
    // ── reap ───────────────────────────────────────────────────────────
    onExit(worker, exit) {
        this.workers.delete(worker);
        const stranded = worker.replaces;
        this.unlink(worker);
        const cause = classifyExit(exit);
        const expected = cause.kind === 'ordered' && exit.order !== 'cancel' && exit.order !== 'heartbeat' && exit.order !== 'drain-deadline';
        this.log[expected ? 'debug' : 'warn']({ workerId: worker.id, pid: worker.pid, exitCode: exit.exitCode, signal: exit.signal, cause: cause.kind }, `worker ${exit.reason}`);
        this.host.emitSafe('worker:exit', {
            workerId: worker.id,
            pid: worker.pid,
            exitCode: exit.exitCode,
            signal: exit.signal,
            reason: exit.reason,
            expected,
            cause: cause.kind,
        });
        const orphans = [...worker.inFlight.values()];
        worker.inFlight.clear();
        if (!this.stopped) {
            const delay = this.decide(cause, exit);
            if (stranded && delay !== undefined)
                this.retryRecycle(stranded, Math.max(delay, this.options.restartDelay));
        }
        this.host.onOrphans(orphans, worker, exit, cause);
        this.host.pump();
    }
    /** Applies the exit policy's decision: replace now, replace after a backoff, or fail the pool; returns the delay, if any. */
    decide(cause, exit) {
        const now = Date.now();
        const { decision, history } = decideExit(cause, this.history, { now, everReady: this.everReady }, this.options);
        this.history = history;
        if (cause.kind !== 'ordered')
            this.restarts++;
        if (decision.action === 'fail') {
            const restarts = this.everReady ? recentCrashes(history, now, this.options.restartWindow) : 0;
            const error = new CrashLoopError({ restarts, windowMs: this.options.restartWindow, reason: exit.reason, exitCode: exit.exitCode, signal: exit.signal, stderrTail: exit.stderrTail }, { cause: exit.bootError });
            this.host.onFailed(error);
            return undefined;
        }
        if (decision.delay === 0) {
            this.manage();
            return 0;
        }
        const timer = setTimeout(() => {
            this.restartTimers.delete(timer);
            this.manage();
        }, decision.delay);
        this.restartTimers.add(timer);
        return decision.delay;
    }
    /** Forgets the replacement links of a worker that ended. */
    unlink(worker) {
        if (worker.replaces)
            worker.replaces.replacedBy = undefined;
        if (worker.replacedBy)
            worker.replacedBy.replaces = undefined;
        worker.replaces = undefined;
        worker.replacedBy = undefined;
    }
    // ── what worker handles report ─────────────────────────────────────
    onReady(worker) {
        this.everReady = true;
        this.host.onReady(worker);
        this.host.emitSafe('worker:ready', { workerId: worker.id, pid: worker.pid });
        if (this.stopped) {
            worker.drain('close', 'the supervisor is stopping');
            return;
        }
        const old = worker.replaces;
        if (old) {
            const { order, reason } = old.replaceOrder ?? { order: 'recycle', reason: 'replaced' };
            worker.replaces = undefined;
            old.replacedBy = undefined;
            this.retire(old, order, reason);
        }
        this.host.pump();
    }
    onSlotFreed() {
        this.host.pump();
    }
    onHeartbeat(worker) {
        if (worker.rss > this.options.maxMemory)
            this.recycle(worker, `RSS ${worker.rss} bytes is over maxMemory (${this.options.maxMemory})`);
    }
    // ── stopping ───────────────────────────────────────────────────────
    /** No more spawns or restarts. */
    halt() {
        this.stopped = true;
        for (const timer of [...this.restartTimers, ...this.retryTimers])
            clearTimeout(timer);
        this.restartTimers.clear();
        this.retryTimers.clear();
    }
    /**
     * Stops every worker: a shutdown frame (or SIGKILL at once when `grace` is
     * 0), then SIGKILL for any still alive after `grace` ms. Resolves when all
     * have exited.
     */
    async stopAll(order, grace) {
        this.halt();
        const workers = [...this.workers];
        for (const worker of workers) {
            if (grace > 0)
                this.retire(worker, order, 'the supervisor is stopping');
            else
                worker.forceKill(order, 'the supervisor is stopping now');
        }
        const exited = Promise.all(workers.map((w) => w.exited));
        let timer;
        const late = new Promise((resolve) => {
            timer = setTimeout(() => {
                for (const worker of workers)
                    worker.forceKill(order, `it did not exit within ${grace} ms of the shutdown`);
                resolve();
            }, grace);
        });
        await Promise.race([exited, late]);
        clearTimeout(timer);
        await exited;
    }
    /** Kills every worker now (the pool failed). */
    killAll(order, reason) {
        this.halt();
        for (const worker of this.workers)
            worker.kill(order, reason);
    }
    dispose() {
        this.halt();
        clearInterval(this.murderTimer);
    }
}
//# sourceMappingURL=pool.js.map