/*
 * The model: what each job may end as, given its kind and the faults that
 * could have touched it, and what the pool as a whole must do. Pure functions
 * of a RunRecord, so they can be tested on hand-made records.
 */
import { SETTINGS, STREAM_CHUNKS, type JobKind } from './plan.js';
import { describeError, type JobRecord, type RunRecord } from './scheduler.js';

export type Rule = 'lost' | 'doubled' | 'wrong' | 'job:done' | 'pool failed' | 'recovery' | 'close' | 'leftover' | 'reload';

export interface Violation {
  rule: Rule;
  detail: string;
}

/** How each kind of job ends when no fault touches it: resolves with its id, or rejects with this code. */
const OWN_END: Record<JobKind, 'resolves' | 'never' | string> = {
  ok: 'resolves',
  spin: 'resolves',
  grandchild: 'resolves',
  stream: 'resolves',
  throws: 'E_FAULTY',
  exit: 'ERR_WORKER_CRASHED',
  slow: 'ERR_JOB_TIMEOUT',
  hang: 'never',
};

/** Whether the pool takes new jobs in this state: before its first worker is ready, and while running. */
function accepts(state: string): boolean {
  return state === 'running' || state === 'starting';
}

export function checkRun(r: RunRecord): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: Rule, detail: string) => violations.push({ rule, detail });

  for (const job of r.jobs) {
    if (!job.outcome || job.stranded) add('lost', `${describeJob(job)} ${job.outcome ? `was still pending when close() should have been done (settled at +${job.settledAt} ms)` : 'never settled'}`);
    else {
      const why = judge(job, r);
      if (why) add('wrong', `${describeJob(job)} ${why}`);
    }
  }

  for (const [jobId, n] of r.done) if (n > 1) add('doubled', `job:done fired ${n} times for job id ${jobId}`);
  const names = new Set([...r.doneByName.keys(), ...r.jobs.map((j) => j.spec.kind)]);
  for (const name of names) {
    const mine = r.jobs.filter((j) => j.spec.kind === name && j.outcome);
    const accepted = mine.filter((j) => accepts(j.state));
    const ok = accepted.filter((j) => j.outcome!.ok).length;
    const failed = accepted.length - ok;
    // whether run() refusing a job (the pool not running) also emits job:done is not specified, so either is fine
    const refused = mine.length - accepted.length;
    const seen = r.doneByName.get(name) ?? { ok: 0, failed: 0 };
    if (seen.ok !== ok || seen.failed < failed || seen.failed > failed + refused) {
      add('job:done', `${name}: job:done reported ${seen.ok} ok and ${seen.failed} failed; the promises of accepted jobs ${ok} ok and ${failed} failed`);
    }
  }

  for (const failure of r.failures) add('pool failed', failure);
  if (r.recoveredIn === null) add('recovery', `the pool did not get back to ${r.target} ready workers within 15 s after the faults stopped`);
  if (r.closeTook === null) add('close', `close() did not resolve within ${r.closeBound} ms`);
  if (r.closeError !== undefined) add('close', `close() rejected: ${describeError(r.closeError)}`);
  for (const { pid, what } of r.leftover) add('leftover', `${what} pid ${pid} still running after close()`);

  for (const reload of r.reloads) {
    const which = `${reload.broken ? 'reload() with a module that fails to load' : 'reload()'} (started +${reload.at} ms)`;
    if (reload.settledAt === undefined) add('reload', `${which} never settled`);
    else if (reload.error === undefined && reload.broken) add('reload', `${which} resolved, though no replacement could load the module`);
    else if (reload.error !== undefined && typeof codeOf(reload.error) !== 'string') add('reload', `${which} rejected with an error without a code: ${describeError(reload.error)}`);
  }
  return violations;
}

/** Why a settled job's outcome is impossible under the faults of the run, or undefined when it is allowed. */
function judge(job: JobRecord, r: RunRecord): string | undefined {
  const { spec } = job;
  const outcome = job.outcome!;
  if (spec.kind === 'stream') {
    // chunks reach the caller once each, in order, all its own: the whole stream, or a prefix of it when it failed
    const chunks = (job.chunks ?? []) as Array<{ id?: unknown; seq?: unknown }>;
    const bad = chunks.findIndex((chunk, i) => chunk?.id !== spec.id || chunk?.seq !== i);
    if (bad !== -1) return `streamed ${JSON.stringify(chunks)}: chunk ${bad} is repeated, out of order or another job's`;
    if (outcome.ok && chunks.length !== STREAM_CHUNKS) return `resolved after ${chunks.length} of its ${STREAM_CHUNKS} chunks`;
  }
  if (outcome.ok) {
    if (!accepts(job.state)) return `resolved, though it was submitted while the pool was ${job.state}`;
    if (OWN_END[spec.kind] !== 'resolves') return `resolved with ${JSON.stringify(outcome.value)}, which a ${spec.kind} job cannot`;
    const id = (outcome.value as { id?: unknown } | null)?.id;
    return id === spec.id ? undefined : `resolved with id ${String(id)}: another job's result`;
  }
  const { error } = outcome;
  const code = codeOf(error);
  if (typeof code !== 'string') return `rejected with an error without a code: ${describeError(error)}`;
  if (job.state === 'failed') return undefined; // the pool failure is reported once, as its own violation
  if (!accepts(job.state)) return code === 'ERR_SUPERVISOR_CLOSED' ? undefined : `was submitted while the pool was ${job.state}, and rejected with ${code}`;
  switch (code) {
    case 'E_FAULTY':
      return spec.kind === 'throws' ? undefined : 'rejected with E_FAULTY, which only throws jobs raise';
    case 'ERR_JOB_TIMEOUT': {
      if (spec.timeout === undefined) return 'timed out, but it had no timeout';
      const took = job.settledAt! - job.at;
      return took >= spec.timeout - 1 ? undefined : `timed out after ${took} ms, before its ${spec.timeout} ms timeout`;
    }
    case 'ERR_WORKER_CRASHED': {
      // a crash report must name a worker that really died, after at most retries + 1 attempts
      const { pid, attempts } = error as { pid?: number; attempts?: number };
      if (pid === undefined || !r.exited.has(pid)) return `rejected with ERR_WORKER_CRASHED naming pid ${pid}, which never exited`;
      return attempts !== undefined && attempts >= 1 && attempts <= SETTINGS.retries + 1
        ? undefined
        : `rejected with ERR_WORKER_CRASHED after ${attempts} attempts (retries: ${SETTINGS.retries})`;
    }
    case 'ERR_SUPERVISOR_CLOSED':
      return r.closeCalledAt !== undefined && job.settledAt! >= r.closeCalledAt ? undefined : 'rejected with ERR_SUPERVISOR_CLOSED before close() was called';
    default:
      return `rejected with ${describeError(error)}`;
  }
}

function codeOf(error: unknown): unknown {
  return error instanceof Error ? (error as { code?: unknown }).code : undefined;
}

function describeJob(job: JobRecord): string {
  return `job ${job.spec.id} (${job.spec.kind}${job.spec.timeout === undefined ? '' : `, timeout ${job.spec.timeout} ms`}, submitted +${job.at} ms)`;
}

export interface Figures {
  jobs: number;
  lost: number;
  doubled: number;
  wrong: number;
  leftover: number;
  faults: Map<string, number>;
}

export function figures(r: RunRecord, violations: Violation[]): Figures {
  const n = (rule: Rule) => violations.filter((v) => v.rule === rule).length;
  return { jobs: r.jobs.length, lost: n('lost'), doubled: n('doubled'), wrong: n('wrong'), leftover: n('leftover'), faults: r.faults };
}

export function formatFaults(faults: Map<string, number>): string {
  return [...faults].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
}

/** One line per run, for the soak's progress. */
export function summaryLine(r: RunRecord, violations: Violation[]): string {
  const f = figures(r, violations);
  return (
    `seed ${r.plan.seed}${r.plan.profile === 'full' ? '' : ` (${r.plan.profile})`}: ${violations.length === 0 ? 'ok' : `FAILED (${violations.length} violations)`} in ${(r.took / 1000).toFixed(1)} s; ` +
    `jobs ${f.jobs}, lost ${f.lost}, doubled ${f.doubled}, wrong ${f.wrong}, leftover ${f.leftover}; faults: ${formatFaults(f.faults)}`
  );
}

/** Everything needed to understand and replay a failed run: the seed, the violations, the fault log, the supervisor's warnings. */
export function formatReport(r: RunRecord, violations: Violation[]): string {
  const { plan } = r;
  const byRule = new Map<Rule, string[]>();
  for (const v of violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v.detail]);
  const kinds = new Map<string, number>();
  for (const job of r.jobs) kinds.set(job.spec.kind, (kinds.get(job.spec.kind) ?? 0) + 1);
  const lines = [
    summaryLine(r, violations),
    `replay: npm run faults -- --seed ${plan.seed}${plan.profile === 'full' ? '' : ` --profile ${plan.profile}`}`,
    `pool: workers ${plan.pool.workers}, perWorker ${plan.pool.perWorker}, maxJobsPerWorker ${plan.pool.maxJobsPerWorker ?? '∞'}; size at the end ${r.target}; ` +
      `back to size ${r.recoveredIn === undefined ? 'not checked' : r.recoveredIn === null ? 'never' : `${r.recoveredIn} ms after the storm`}; ` +
      `close() ${r.closeTook === null ? 'never resolved' : `took ${r.closeTook} ms`}`,
    `jobs by kind: ${formatFaults(kinds)}`,
    `violations:`,
    ...[...byRule].flatMap(([rule, details]) => [
      `  ${rule} ×${details.length}`,
      ...details.slice(0, 5).map((d) => `    ${d}`),
      ...(details.length > 5 ? [`    … and ${details.length - 5} more`] : []),
    ]),
    `fault log:`,
    ...r.log.map((line) => `  ${line}`),
    `supervisor warnings (last 30):`,
    ...r.supervisorLog.slice(-30).map((line) => `  ${line}`),
  ];
  return lines.join('\n');
}
