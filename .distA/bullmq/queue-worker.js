import { SupervisorClosedError } from '../errors.js';
import { Lifecycle } from '../lifecycle.js';
import { TypedEmitter } from '../supervisor/events.js';
import { integerOption } from '../supervisor/options.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { cancelChannel } from './cancel.js';
import { createErrorThrottle } from './error-throttle.js';
import { listenForCancels } from './cancel-listener.js';
import { loadBullmq } from './load-bullmq.js';
import { resolveQueueOptions } from './options.js';
import { createProcessor } from './processor.js';
const MOVES = {
    starting: ['running', 'closing', 'failed'],
    running: ['closing', 'failed'],
    closing: ['closed', 'failed'],
    failed: ['closed'],
    closed: [],
};
/** ms BullMQ's Worker gets to close after the pool has: its Redis connections may be down; then it is forced. */
const WORKER_CLOSE_SLACK = 10_000;
export class QueueWorker extends TypedEmitter {
    queue;
    supervisor;
    /** BullMQ's Worker, once the pool is ready. */
    worker;
    resolved;
    life = new Lifecycle(MOVES, 'starting');
    starting;
    routedToDefault = new Set();
    closing;
    stopCancels;
    failure;
    constructor(queue, options) {
        super();
        this.resolved = resolveQueueOptions(queue, options);
        this.queue = queue;
        this.supervisor = new Supervisor(this.resolved.supervisor);
        this.supervisor.on('failed', (error) => this.poolFailed(error));
        this.supervisor.on('resize', ({ capacity }) => {
            if (this.worker)
                this.worker.concurrency = capacity;
        });
        this.starting = this.start();
        this.starting.catch(() => { }); // ready() reports it
    }
    get state() {
        return this.life.state;
    }
    /** Resolves once the pool is ready and jobs are being fetched; rejects when the pool cannot start. */
    ready() {
        return this.starting;
    }
    async start() {
        const bullmq = await loadBullmq();
        await this.supervisor.ready();
        if (!this.life.is('starting'))
            throw this.failure ?? new SupervisorClosedError('The queue worker closed before it started');
        const { queue, connection, bullmq: workerOptions, prefix } = this.resolved;
        const processor = createProcessor({
            supervisor: this.supervisor,
            queue,
            errors: bullmq,
            log: this.supervisor.log,
            stopping: () => !this.life.is('starting', 'running'),
            routedToDefault: this.routedToDefault,
        });
        const worker = new bullmq.Worker(queue, processor, { ...workerOptions, connection, concurrency: this.supervisor.capacity, autorun: false });
        this.worker = worker;
        // Redis going away is reported here; BullMQ reconnects and carries on by itself
        worker.on('error', createErrorThrottle(this.supervisor.log, `queue ${queue}`));
        this.stopCancels = await listenForCancels(worker, cancelChannel(prefix, queue), this.supervisor.log);
        if (!this.life.to('running'))
            throw this.failure ?? new SupervisorClosedError('The queue worker closed before it started');
        worker.run().catch((error) => this.supervisor.log.error({ err: error }, `queue ${queue}: the BullMQ worker stopped`));
        this.supervisor.log.info(`queue ${queue}: fetching up to ${worker.concurrency} jobs at a time`);
    }
    /** Changes the pool size; BullMQ's concurrency follows. */
    resize(workers) {
        this.supervisor.resize(workers);
    }
    /** Rolling restart of the pool's workers (after a code change); jobs keep running. */
    reload() {
        this.routedToDefault.clear();
        return this.supervisor.reload();
    }
    stats() {
        return { ...this.supervisor.stats(), queueState: this.life.state, queueConcurrency: this.worker?.concurrency ?? 0 };
    }
    /**
     * Stops fetching, lets running jobs finish for up to `timeout` ms (default: the pool's drainTimeout), hands the
     * rest back to the queue without spending an attempt, and stops the pool and the Redis connections.
     */
    close(options = {}) {
        return (this.closing ??= this.closeNow(integerOption('timeout', options.timeout, 0, this.supervisor.options.drainTimeout, true)));
    }
    async closeNow(timeout) {
        this.life.to('closing');
        const workerClosed = this.worker?.close();
        await this.supervisor.close({ timeout });
        await this.closeWorker(workerClosed);
        await this.starting.catch(() => { });
        await this.closeWorker(this.worker?.close()); // one created while the pool drained (close() resolves at once when it ran already)
        this.stopCancels?.();
        this.life.to('closed');
    }
    /** Waits for BullMQ's Worker to close; every job it holds has settled by now, so only Redis can hold it up. */
    async closeWorker(closed) {
        if (!closed)
            return;
        let timer;
        const late = new Promise((resolve) => (timer = setTimeout(resolve, WORKER_CLOSE_SLACK, 'late')));
        const outcome = await Promise.race([closed.then(() => 'closed', () => 'closed'), late]);
        clearTimeout(timer);
        if (outcome === 'late') {
            this.supervisor.log.warn(`queue ${this.queue}: BullMQ's worker did not close within ${WORKER_CLOSE_SLACK} ms; forcing it`);
            await this.worker?.close(true).catch(() => { });
        }
    }
    /** The pool failed: fetch nothing more; the supervisor has rejected the running jobs, which the processor hands back. */
    poolFailed(error) {
        this.failure = error;
        if (!this.life.to('failed'))
            return;
        void this.worker?.close().catch(() => { });
        this.emit('failed', error);
    }
}
/** Creates a queue worker: a supervisor whose jobs come from the BullMQ queue `queue`. */
export function createQueueWorker(queue, options) {
    return new QueueWorker(queue, options);
}
//# sourceMappingURL=queue-worker.js.map