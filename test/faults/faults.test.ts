// Seeded fault injection against a live pool (see plan.ts and scheduler.ts). A failure prints the seed, what broke, the fault log, and how to replay it.
import { describe, expect, it } from 'vitest';
import { checkRun, formatReport } from './invariants.js';
import { makePlan, type Plan } from './plan.js';
import { runPlan } from './scheduler.js';
import { BASELINE_SEEDS, SEEDS } from './seeds.js';

// worst case: storm + a strike's wait + recovery bound + close bound + destroy + the leftover check
const PER_RUN = 90_000;

async function expectNoViolations(plan: Plan): Promise<void> {
  const record = await runPlan(plan);
  const violations = checkRun(record);
  expect(violations.length, `\n${formatReport(record, violations)}\n`).toBe(0);
}

describe('faults at every phase of a pool’s life', () => {
  it.each(SEEDS)('seed %i', (seed) => expectNoViolations(makePlan(seed)), PER_RUN);
});

// The harness on its own: a supervisor that survives SIGKILLs of ready workers must pass these.
describe('baseline: ok jobs and SIGKILLs of ready workers only', () => {
  it.each(BASELINE_SEEDS)('seed %i', (seed) => expectNoViolations(makePlan(seed, { profile: 'baseline' })), PER_RUN);
});
