export const CONN_MOVES = {
    // queued → owned: a worker's acknowledgement of an earlier offer arrived after the supervisor had given up on it
    queued: ['offered', 'owned', 'done'],
    offered: ['queued', 'owned', 'done'],
    owned: ['done'],
    done: [],
};
//# sourceMappingURL=connection-state.js.map