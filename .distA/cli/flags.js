// Flag parsing shared by `supervise run` and `supervise serve`: integer flags and the log level, with one-line errors.
import { parseArgs } from 'node:util';
import { LOG_LEVELS } from '../supervisor/options.js';
import { UsageError } from './usage-error.js';
/** `max-restarts` → `maxRestarts`: flag names map to option names. */
function camel(flag) {
    return flag.replace(/-(\w)/g, (_, c) => c.toUpperCase());
}
/** Checks the integer flags named in `spec` (flag → minimum) and copies them onto `target` under their option names. */
export function readIntegerFlags(values, spec, target) {
    for (const [flag, min] of Object.entries(spec)) {
        const raw = values[flag];
        if (typeof raw !== 'string')
            continue;
        const value = Number(raw);
        if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
            throw new UsageError(`--${flag} expects an integer from ${min} and up, got '${raw}'`);
        }
        target[camel(flag)] = value;
    }
}
/** The `parseArgs` declarations of the integer flags in `spec`. */
export function integerFlagOptions(spec) {
    return Object.fromEntries(Object.keys(spec).map((flag) => [flag, { type: 'string' }]));
}
export function checkLogLevel(level) {
    if (!LOG_LEVELS.includes(level))
        throw new UsageError(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
    return level;
}
/** node:util parseArgs in strict mode with positionals, its errors turned into one-line UsageErrors. */
export function parseFlags(argv, options) {
    try {
        const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
        return { values: values, positionals };
    }
    catch (error) {
        throw new UsageError(error.message.split('\n')[0]);
    }
}
//# sourceMappingURL=flags.js.map