/*
 * Manage, in Gunicorn's arbiter's word: how many workers to start or retire
 * to reach the pool's target size. It only plans; the pool carries it out.
 *
 * A worker counts toward the size while it is starting or ready, unless a
 * replacement is already starting for it (recycling, reload): then the
 * replacement counts instead, so nothing is retired or spawned twice.
 * Replacements already scheduled after a crash count too; when shrinking,
 * those are cancelled before live workers are retired, idlest first.
 */
import type { WorkerHandle } from './worker-handle.js';

export interface SizePlan {
  spawn: number;
  cancelRestarts: number;
  retire: WorkerHandle[];
}

/** What to do so that the active workers plus scheduled restarts match `target`. */
export function planSize(workers: Iterable<WorkerHandle>, target: number, scheduledRestarts: number): SizePlan {
  const active: WorkerHandle[] = [];
  for (const worker of workers) {
    if ((worker.state === 'starting' || worker.state === 'ready') && worker.replacedBy === undefined) active.push(worker);
  }
  const count = active.length + scheduledRestarts;
  if (count <= target) return { spawn: target - count, cancelRestarts: 0, retire: [] };
  const cancelRestarts = Math.min(scheduledRestarts, count - target);
  const excess = count - target - cancelRestarts;
  if (excess === 0) return { spawn: 0, cancelRestarts, retire: [] };
  // replacements of other workers are not retired: their old worker goes instead when they are ready
  const candidates = active.filter((w) => w.replaces === undefined).sort((a, b) => a.load - b.load);
  return { spawn: 0, cancelRestarts, retire: candidates.slice(0, excess) };
}
