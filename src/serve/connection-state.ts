/*
 * The states of an accepted connection, as the supervisor sees it, and the
 * moves between them (a Lifecycle table, as for workers and the supervisor):
 *
 *   queued ──► offered ──► owned ──► done
 *     ▲  │        │         ▲
 *     │  ├──► done (queueTimeout, closing)
 *     │  └────────────────────┘ a late acknowledgement of an offer already given up on
 *     └───────────┘ release(): the hand-off timed out, was refused or failed, or the worker exited
 *
 * `owned` never goes back to `queued`: once a worker acknowledged a
 * connection, the supervisor's copy is closed and only the worker has it.
 * `done` is final, so a late event (an acknowledgement after a drop, a close
 * after an exit) cannot revive a connection.
 */
import type { Moves } from '../lifecycle.js';

export type ConnState = 'queued' | 'offered' | 'owned' | 'done';

export const CONN_MOVES: Moves<ConnState> = {
  // queued → owned: a worker's acknowledgement of an earlier offer arrived after the supervisor had given up on it
  queued: ['offered', 'owned', 'done'],
  offered: ['queued', 'owned', 'done'],
  owned: ['done'],
  done: [],
};
