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
    throw new UsageError(describeParseError(error as NodeJS.ErrnoException, options));
  }
}

// parseArgs' own messages span lines and suggest '--' for positionals; one line, with a suggestion, reads better
function describeParseError(error: NodeJS.ErrnoException, options: NonNullable<ParseArgsConfig['options']>): string {
  const flag = /'(-{1,2}[^'\s]+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const suggestion = closestFlag(flag.replace(/^-+/, '').split('=')[0]!, Object.keys(options));
    return `unknown option ${flag}${suggestion ? `; did you mean --${suggestion}?` : ''}`;
  }
  const long = /--([\w-]+)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && long && options[long]) {
    return options[long].type === 'string' ? `--${long} needs a value` : `--${long} takes no value`;
  }
  return error.message.split('\n')[0]!;
}

/** The known flag nearest to a mistyped one (at most a third of its letters off), if any. */
export function closestFlag(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(typed.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(typed, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

// Levenshtein distance, with a swap of two neighbours counting as one edit (--wokrers)
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
