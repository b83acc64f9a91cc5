/*
 * Soak: `npm run faults -- [--seed N] [--duration 60s] [--runs K] [--profile full|baseline] [--verbose]`
 * Runs the fault scheduler with successive seeds from N (default: random,
 * printed) until the duration or run count is spent (default: one run),
 * prints each run (a full report for a failed one, or for every one with
 * --verbose) and the totals, and exits 1 if any run broke an invariant.
 */
import { parseArgs } from 'node:util';
import { checkRun, figures, formatFaults, formatReport, summaryLine } from './invariants.js';
import { makePlan, type Profile } from './plan.js';
import { runPlan } from './scheduler.js';

/** `60s`, `2m`, `500ms`, or a bare number of seconds. */
function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration: expected e.g. 60s, 2m or 500ms, got ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm'];
}

const { values } = parseArgs({
  options: { seed: { type: 'string' }, duration: { type: 'string' }, runs: { type: 'string' }, profile: { type: 'string', default: 'full' }, verbose: { type: 'boolean', default: false } },
});
const profile = values.profile as Profile;
if (profile !== 'full' && profile !== 'baseline') throw new Error(`--profile: expected full or baseline, got ${values.profile}`);
const firstSeed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed);
const duration = values.duration === undefined ? 0 : parseDuration(values.duration);
const maxRuns = values.runs === undefined ? (values.duration === undefined ? 1 : Infinity) : Number(values.runs);

console.log(`faults: profile ${profile}, seeds from ${firstSeed}, ${duration ? `for ${duration / 1000} s` : `${maxRuns} run(s)`}`);
const started = Date.now();
const failedSeeds: number[] = [];
const total = { runs: 0, jobs: 0, lost: 0, doubled: 0, wrong: 0, leftover: 0, faults: new Map<string, number>() };
for (let seed = firstSeed; total.runs < maxRuns && (duration === 0 || total.runs === 0 || Date.now() - started < duration); seed++) {
  const record = await runPlan(makePlan(seed, { profile }));
  const violations = checkRun(record);
  const f = figures(record, violations);
  total.runs++;
  total.jobs += f.jobs;
  total.lost += f.lost;
  total.doubled += f.doubled;
  total.wrong += f.wrong;
  total.leftover += f.leftover;
  for (const [kind, n] of f.faults) total.faults.set(kind, (total.faults.get(kind) ?? 0) + n);
  if (violations.length === 0) console.log(values.verbose ? `${formatReport(record, violations)}\n` : summaryLine(record, violations));
  else {
    failedSeeds.push(seed);
    console.log(`${formatReport(record, violations)}\n`);
  }
}
console.log(
  `\ntotal: ${total.runs} runs in ${((Date.now() - started) / 1000).toFixed(0)} s, ${failedSeeds.length} failed; ` +
    `jobs ${total.jobs}, lost ${total.lost}, doubled ${total.doubled}, wrong ${total.wrong}, leftover ${total.leftover}\n` +
    `faults: ${formatFaults(total.faults)}`,
);
if (failedSeeds.length > 0) {
  console.log(`FAILED seeds: ${failedSeeds.join(' ')} (replay one with: npm run faults -- --seed N${profile === 'full' ? '' : ` --profile ${profile}`})`);
  process.exitCode = 1;
}
