/*
 * Dispatch: wraps p-queue (never extends it). p-queue holds the jobs that
 * have to wait, bounds the jobs in flight overall (`concurrency`) and keeps
 * their order; each job that p-queue starts goes to the least-loaded ready
 * worker with a free slot (`perWorker`), or is parked here until one frees up
 * (a worker finishing a job, a replacement becoming ready). A job re-dispatched
 * after a crash keeps its p-queue slot and goes back through the same path.
 *
 *   submit(job) ─► nothing waiting and a free slot? ─yes─► worker (fast path)
 *                        │ no
 *                        └─► p-queue ─► task starts ─► free slot? ─yes─► worker
 *                                                          │ no
 *                                                          └─► parked until pump()
 *
 * The fast path skips p-queue's per-task bookkeeping when a job would not
 * wait anyway. It is taken only while the worker slots are the binding limit
 * (concurrency ≥ workers × perWorker), so the overall bound still holds, and
 * only when nothing is queued, so jobs still start in submission order.
 */
import PQueue from 'p-queue';
export class Dispatcher {
    workers;
    perWorker;
    dispatch;
    queue;
    waiting = [];
    waitingHead = 0;
    /** Jobs dispatched by the fast path and not yet settled. */
    direct = 0;
    /** Whether the worker slots, not `concurrency`, bound the jobs in flight. */
    fastPath = false;
    directDone = () => {
        this.direct--;
    };
    constructor(workers, perWorker, concurrency, dispatch) {
        this.workers = workers;
        this.perWorker = perWorker;
        this.dispatch = dispatch;
        this.queue = new PQueue({ concurrency });
    }
    /** Jobs queued in p-queue plus jobs started but waiting for a worker slot. */
    get queued() {
        return this.queue.size + this.waiting.length - this.waitingHead;
    }
    /** Adds a job; it runs now if it can, otherwise its p-queue task lasts until the job settles. */
    submit(job) {
        if (this.fastPath && this.queue.size === 0 && this.waitingHead === this.waiting.length && this.direct + this.queue.pending < this.queue.concurrency) {
            const worker = this.pick();
            if (worker) {
                this.direct++;
                job.taskDone = this.directDone;
                this.dispatch(job, worker);
                return;
            }
        }
        this.queue
            .add(() => new Promise((done) => {
            job.taskDone = done;
            this.schedule(job);
        }), job.options.signal ? { signal: job.options.signal } : undefined)
            .catch(() => {
            // aborted while queued: the job itself was rejected by its abort listener
        });
    }
    /** Sends the job to a worker now, or parks it until a slot frees up. */
    schedule(job) {
        if (job.settled) {
            job.taskDone?.();
            return;
        }
        const worker = this.pick();
        if (worker)
            this.dispatch(job, worker);
        else
            this.waiting.push(job);
    }
    /** Runs a job again after its worker ended: in its own slot if it still holds one, otherwise through the queue. */
    retry(job) {
        if (job.taskDone)
            this.schedule(job);
        else
            this.submit(job);
    }
    /** Forgets a parked job that settled without running (cancelled); rare, so a linear search is fine. */
    unpark(job) {
        const index = this.waiting.indexOf(job, this.waitingHead);
        if (index !== -1)
            this.waiting.splice(index, 1);
    }
    /** Forgets every parked job (they were all rejected). */
    clearParked() {
        this.waiting = [];
        this.waitingHead = 0;
    }
    /** Hands parked jobs to free slots; called whenever a slot frees or a worker becomes ready. */
    pump() {
        while (this.waitingHead < this.waiting.length) {
            const job = this.waiting[this.waitingHead];
            if (job.settled) {
                this.waitingHead++;
                continue;
            }
            const worker = this.pick();
            if (!worker)
                break;
            this.waitingHead++;
            this.dispatch(job, worker);
        }
        if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
            this.waiting = this.waiting.slice(this.waitingHead);
            this.waitingHead = 0;
        }
    }
    /** The least-loaded ready worker with a free slot. */
    pick() {
        let best;
        for (const worker of this.workers) {
            if (worker.state !== 'ready')
                continue;
            const load = worker.load;
            if (load >= this.perWorker)
                continue;
            if (!best || load < best.load) {
                best = worker;
                if (load === 0)
                    break;
            }
        }
        return best;
    }
}
//# sourceMappingURL=dispatcher.js.map