// Flag parsing shared by `supervise run` and `supervise serve`: integer flags and the log level, with one-line errors.
import { LOG_LEVELS } from '../supervisor/options.js';
import { UsageError } from './usage-error.js';

/** `max-restarts` → `maxRestarts`: flag names map to option names. */
function camel(flag: string): string {
  return flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** Checks the integer flags named in `spec` (flag → minimum) and copies them onto `target` under their option names. */
export function readIntegerFlags(values: Record<string, unknown>, spec: Record<string, number>, target: object): void {
  for (const [flag, min] of Object.entries(spec)) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`--${flag} expects an integer from ${min} and up, got '${raw}'`);
    }
    (target as Record<string, number>)[camel(flag)] = value;
  }
}

/** The `parseArgs` declarations of the integer flags in `spec`. */
export function integerFlagOptions(spec: Record<string, number>): Record<string, { type: 'string' }> {
  return Object.fromEntries(Object.keys(spec).map((flag) => [flag, { type: 'string' as const }]));
}

export function checkLogLevel(level: string): string {
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  return level;
}
