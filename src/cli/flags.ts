// Flag parsing shared by `supervise run` and `supervise serve`: integer flags and the log level, with one-line errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '../supervisor/log.js';
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

export function checkLogLevel(level: string): LogLevel {
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  return level as LogLevel;
}

/** node:util parseArgs in strict mode with positionals, its errors turned into one-line UsageErrors. */
export function parseFlags(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}
