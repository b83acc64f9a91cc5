#!/usr/bin/env node
// The `supervise` command: argv → subcommand → exit code. Usage errors print one line and exit 2.
import { fstatSync, readFileSync } from 'node:fs';
import { HELP, parseCommand } from './args.js';
import { createCliOutput } from './logger.js';
import { OUTPUT_ERROR_EXIT, runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { UsageError } from './usage-error.js';
import { workCommand } from './work.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Prints help or the version. stdout may be a full disk or a closed pipe: that
 * ends with one line (or, for EPIPE, quietly with 141, as `| head` expects)
 * instead of an unhandled 'error' event and its stack trace.
 */
function print(text: string): Promise<number> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') process.stderr.write(`supervise: cannot write to stdout: ${error.message.split('\n')[0]}\n`);
      resolve(error.code === 'EPIPE' ? 141 : OUTPUT_ERROR_EXIT);
    };
    process.stdout.once('error', onError);
    process.stdout.write(text, (error) => {
      if (error) return; // onError has it
      process.stdout.off('error', onError);
      resolve(0);
    });
  });
}

// a progress line on the terminal the results scroll through would be torn apart by them
function sameTerminal(a: number, b: number): boolean {
  try {
    const [first, second] = [fstatSync(a), fstatSync(b)];
    return first.isCharacterDevice() && first.rdev === second.rdev;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  // `supervise serve` parses its own flags and prints its own one-line errors
  if (argv[0] === 'serve') return serveCommand(argv.slice(1));
  if (argv[0] === 'work') return workCommand(argv.slice(1));
  if (argv[0] === 'help' && argv[1] === 'serve') return serveCommand(['--help']);
  if (argv[0] === 'help' && argv[1] === 'work') return workCommand(['--help']);
  const parsed = parseCommand(argv);
  if (parsed.command === 'help') return print(HELP);
  if (parsed.command === 'version') return print(`${version()}\n`);
  const { log, stderr } = createCliOutput(parsed.flags.logLevel);
  return runCommand(parsed.file!, parsed.flags, { stdin: process.stdin, stdout: process.stdout, stderr, log, progress: stderr.isTTY && !sameTerminal(1, 2) });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      // a suggestion is the whole answer; otherwise, where to read more
      process.stderr.write(`supervise: ${error.message}\n${error.message.includes('did you mean') ? '' : "Run 'supervise --help' for usage.\n"}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`supervise: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
