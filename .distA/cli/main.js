#!/usr/bin/env node
// The `supervise` command: argv → subcommand → exit code. Usage errors print one line and exit 2.
import { readFileSync } from 'node:fs';
import { HELP, parseCommand } from './args.js';
import { createCliLogger } from './logger.js';
import { OUTPUT_ERROR_EXIT, runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { UsageError } from './usage-error.js';
import { workCommand } from './work.js';
function version() {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return pkg.version;
}
/**
 * Prints help or the version. stdout may be a full disk or a closed pipe: that
 * ends with one line (or, for EPIPE, quietly with 141, as `| head` expects)
 * instead of an unhandled 'error' event and its stack trace.
 */
function print(text) {
    return new Promise((resolve) => {
        const onError = (error) => {
            if (error.code !== 'EPIPE')
                process.stderr.write(`supervise: cannot write to stdout: ${error.message.split('\n')[0]}\n`);
            resolve(error.code === 'EPIPE' ? 141 : OUTPUT_ERROR_EXIT);
        };
        process.stdout.once('error', onError);
        process.stdout.write(text, (error) => {
            if (error)
                return; // onError has it
            process.stdout.off('error', onError);
            resolve(0);
        });
    });
}
async function main(argv) {
    // `supervise serve` parses its own flags and prints its own one-line errors
    if (argv[0] === 'serve')
        return serveCommand(argv.slice(1));
    if (argv[0] === 'work')
        return workCommand(argv.slice(1));
    const parsed = parseCommand(argv);
    if (parsed.command === 'help')
        return print(HELP);
    if (parsed.command === 'version')
        return print(`${version()}\n`);
    const log = createCliLogger(parsed.flags.logLevel);
    return runCommand(parsed.file, parsed.flags, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, log });
}
main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
}, (error) => {
    if (error instanceof UsageError) {
        process.stderr.write(`supervise: ${error.message}\nRun 'supervise --help' for usage.\n`);
        process.exitCode = 2;
        return;
    }
    process.stderr.write(`supervise: internal error: ${error?.stack ?? String(error)}\n`);
    process.exitCode = 70;
});
//# sourceMappingURL=main.js.map