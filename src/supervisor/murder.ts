/*
 * Murder, in Gunicorn's arbiter's word: which workers must be killed, and why.
 * Run on a timer; it only decides, the pool carries it out.
 *
 * - start timeout: a worker that has not said hello within `startTimeout`;
 * - heartbeat: a worker silent for `heartbeatTimeout` (its event loop is blocked);
 * - drain deadline: a worker draining (recycle, reload, resize, close) for
 *   longer than `drainTimeout`, still holding jobs or simply not exiting.
 */
import type { StopOrder } from './exit-policy.js';
import type { ResolvedOptions } from './options.js';
import type { WorkerHandle } from './worker-handle.js';

export interface Victim {
  worker: WorkerHandle;
  order: StopOrder;
  reason: string;
}

type Limits = Pick<ResolvedOptions, 'startTimeout' | 'heartbeatInterval' | 'heartbeatTimeout' | 'drainTimeout'>;

/** The workers to kill at `now`, each with its order and reason. */
export function findVictims(workers: Iterable<WorkerHandle>, now: number, limits: Limits): Victim[] {
  const victims: Victim[] = [];
  for (const worker of workers) {
    const { state } = worker;
    if (state === 'starting') {
      if (now - worker.startedAt > limits.startTimeout) {
        victims.push({ worker, order: 'start-timeout', reason: `it did not load its module within startTimeout (${limits.startTimeout} ms)` });
      }
      continue;
    }
    if (state !== 'ready' && state !== 'draining') continue;
    if (limits.heartbeatInterval > 0) {
      const silent = now - worker.lastBeat;
      if (silent > limits.heartbeatTimeout) {
        victims.push({ worker, order: 'heartbeat', reason: `no heartbeat for ${silent} ms (heartbeatTimeout ${limits.heartbeatTimeout} ms): its event loop is blocked` });
        continue;
      }
    }
    if (state === 'draining' && now - worker.stateSince > limits.drainTimeout) {
      const held = worker.load;
      victims.push({
        worker,
        order: 'drain-deadline',
        reason: `it was still draining after drainTimeout (${limits.drainTimeout} ms)${held > 0 ? ` with ${held} job${held === 1 ? '' : 's'} unfinished` : ''}`,
      });
    }
  }
  return victims;
}
