/*
 * Dispatch: wraps p-queue (never extends it). Each job goes to the
 * least-loaded ready worker with a free slot (`perWorker`). What happens to a
 * job that cannot start at once depends on which bound is the tighter one:
 *
 *   submit(job) ─► worker slots bind (concurrency ≥ workers × perWorker)?
 *        │ yes: nothing waiting and a free slot? ─yes─► worker
 *        │                  │ no
 *        │                  └─► waits here, in order, until pump() finds a slot
 *        │ no: `concurrency` binds
 *        └─► p-queue (bounds the jobs in flight, keeps their order) ─► task starts ─► free slot? ─yes─► worker
 *                                                                          │ no
 *                                                                          └─► waits here until pump()
 *
 * With the default concurrency the worker slots are the bound, and p-queue
 * would only be a FIFO: a p-queue task costs a promise, a closure, an async
 * function and events of its own, and an overloaded supervisor (jobs arriving
 * faster than slots free up) spent more on those and on collecting their
 * garbage than on the jobs (bench/PROFILE.md). So waiting jobs wait in this
 * class's array unless `concurrency` is set below the slots. Either way jobs
 * start in submission order. A job re-dispatched after a crash keeps its slot
 * and goes back through the same path.
 */
import PQueue from 'p-queue';
import type { Job } from './job.js';
import type { WorkerHandle } from './worker-handle.js';

export class Dispatcher {
  readonly queue: PQueue;
  private waiting: Job[] = [];
  private waitingHead = 0;
  /** Jobs that took a slot without a p-queue task (at once, or from the wait here) and have not settled. */
  private direct = 0;
  private slotsBinding = false;
  /** The overall bound, `concurrency`; p-queue's own limit is what is left of it after the jobs in `direct`. */
  private limit: number;
  private readonly directDone = () => {
    this.direct--;
    if (!this.slotsBinding) this.fitQueue();
  };

  constructor(
    private readonly workers: Iterable<WorkerHandle>,
    private readonly perWorker: number,
    concurrency: number,
    private readonly dispatch: (job: Job, worker: WorkerHandle) => void,
  ) {
    this.limit = concurrency;
    this.queue = new PQueue({ concurrency });
  }

  /** Jobs in flight overall at most (`concurrency`). */
  get concurrency(): number {
    return this.limit;
  }

  set concurrency(value: number) {
    this.limit = value;
    this.fitQueue();
  }

  /**
   * Gives p-queue the part of `concurrency` that the jobs in `direct` leave: while the worker slots bind, all of
   * it; once `concurrency` binds (the pool grew past it), jobs that took a slot without a p-queue task still
   * count, so p-queue starts only what fits beside them, and nothing while they fill it.
   */
  private fitQueue(): void {
    const room = this.slotsBinding ? this.limit : this.limit - this.direct;
    if (room <= 0) {
      this.queue.pause();
      return;
    }
    this.queue.concurrency = room;
    if (this.queue.isPaused) this.queue.start();
  }

  /** Jobs queued in p-queue plus jobs started but waiting for a worker slot. */
  get queued(): number {
    return this.queue.size + this.waiting.length - this.waitingHead;
  }

  /** Adds a job; it runs now if it can, otherwise it waits: here while the worker slots bind, in p-queue while `concurrency` does. */
  submit(job: Job): void {
    if (this.slotsBinding && this.queue.size === 0) {
      const worker = this.waitingHead === this.waiting.length && this.direct + this.queue.pending < this.limit ? this.pick() : undefined;
      if (worker) {
        this.direct++;
        job.taskDone = this.directDone;
        this.dispatch(job, worker);
      } else {
        // every slot is taken: the job waits its turn here, and takes a slot when pump() finds one
        this.waiting.push(job);
      }
      return;
    }
    this.enqueueTask(job);
  }

  /** Whether the worker slots, not `concurrency`, bound the jobs in flight (then waiting jobs skip p-queue). */
  get slotsBind(): boolean {
    return this.slotsBinding;
  }

  set slotsBind(value: boolean) {
    const was = this.slotsBinding;
    this.slotsBinding = value;
    // p-queue gets its limit first, so that the jobs moved to it start only as that allows
    this.fitQueue();
    if (was && !value) this.requeueParked();
  }

  /**
   * `concurrency` became the tighter bound (the pool grew past it): the jobs that wait here without a slot of
   * it go to p-queue, in their order, so that they start only as it allows.
   */
  private requeueParked(): void {
    const holding: Job[] = [];
    const moving: Job[] = [];
    for (let i = this.waitingHead; i < this.waiting.length; i++) {
      const job = this.waiting[i];
      if (!job.settled) (job.taskDone ? holding : moving).push(job);
    }
    this.waiting = holding;
    this.waitingHead = 0;
    for (const job of moving) this.enqueueTask(job);
  }

  /** The p-queue path: the job's task starts when p-queue allows, and lasts until the job settles. */
  private enqueueTask(job: Job): void {
    this.queue
      .add(
        () =>
          new Promise<void>((done) => {
            job.taskDone = done;
            this.schedule(job);
          }),
        job.options.signal ? { signal: job.options.signal } : undefined,
      )
      .catch(() => {
        // aborted while queued: the job itself was rejected by its abort listener
      });
  }

  /** Sends the job to a worker now, or parks it until a slot frees up. */
  schedule(job: Job): void {
    if (job.settled) {
      job.taskDone?.();
      return;
    }
    const worker = this.pick();
    if (worker) this.dispatch(job, worker);
    else this.waiting.push(job);
  }

  /** Runs a job again after its worker ended: in its own slot if it still holds one, otherwise through the queue. */
  retry(job: Job): void {
    if (job.taskDone) this.schedule(job);
    else this.submit(job);
  }

  /** Forgets a parked job that settled without running (cancelled); rare, so a linear search is fine. */
  unpark(job: Job): void {
    const index = this.waiting.indexOf(job, this.waitingHead);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  /** Forgets every parked job (they were all rejected). */
  clearParked(): void {
    this.waiting = [];
    this.waitingHead = 0;
  }

  /** Hands parked jobs to free slots; called whenever a slot frees or a worker becomes ready. */
  pump(): void {
    while (this.waitingHead < this.waiting.length) {
      const job = this.waiting[this.waitingHead];
      if (job.settled) {
        this.waitingHead++;
        continue;
      }
      const worker = this.pick();
      if (!worker) break;
      this.waitingHead++;
      if (!job.taskDone) {
        // parked by submit(), not by a p-queue task: it takes its slot now
        this.direct++;
        job.taskDone = this.directDone;
      }
      this.dispatch(job, worker);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  /** The least-loaded ready worker with a free slot. */
  private pick(): WorkerHandle | undefined {
    let best: WorkerHandle | undefined;
    for (const worker of this.workers) {
      if (worker.state !== 'ready') continue;
      const load = worker.load;
      if (load >= this.perWorker) continue;
      if (!best || load < best.load) {
        best = worker;
        if (load === 0) break;
      }
    }
    return best;
  }
}
