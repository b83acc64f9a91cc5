// The seeds the vitest suite runs (faults.test.ts); checker.test.ts checks that together they cover every job kind, fault and phase.
export const SEEDS = [2, 3, 9, 26, 28, 59];
export const BASELINE_SEEDS = [1];
