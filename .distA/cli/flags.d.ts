import { type ParseArgsConfig } from 'node:util';
/** Checks the integer flags named in `spec` (flag → minimum) and copies them onto `target` under their option names. */
export declare function readIntegerFlags(values: Record<string, unknown>, spec: Record<string, number>, target: object): void;
/** The `parseArgs` declarations of the integer flags in `spec`. */
export declare function integerFlagOptions(spec: Record<string, number>): Record<string, {
    type: 'string';
}>;
export declare function checkLogLevel(level: string): string;
/** node:util parseArgs in strict mode with positionals, its errors turned into one-line UsageErrors. */
export declare function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig['options']>): {
    values: Record<string, string | boolean | undefined>;
    positionals: string[];
};
