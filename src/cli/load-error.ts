// Why a run file did not load, in one line (plus a code frame for a syntax error).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codeFrame } from '../supervisor/compile-error.js';

/** tsx's TransformError: "Transform failed with 1 error:\n/abs/run.ts:2:61: ERROR: Expected "}" but found ";"" */
const TRANSFORM_ERROR = /^Transform failed with \d+ errors?:\n(.+?):(\d+):(\d+): ERROR: (.+)$/m;

/**
 * A run file's import error as a person reads it. tsx reports a TypeScript syntax error as a header line
 * ("Transform failed with 1 error:") with the place and reason on the next: the first line alone says
 * nothing, so that place and reason come first, with the line they are on.
 */
export function describeLoadError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const match = TRANSFORM_ERROR.exec(message);
  if (!match) return message.split('\n')[0]!;
  const [, file, line, column, text] = match as unknown as [string, string, string, string, string];
  const shown = path.relative(process.cwd(), file) || file;
  let lineText: string | undefined;
  try {
    lineText = readFileSync(file, 'utf8').split(/\r?\n/)[Number(line) - 1];
  } catch {
    // the file went away meanwhile: the place and reason are still worth a line
  }
  return lineText === undefined ? `${shown}:${line}:${Number(column) + 1}: ${text}` : codeFrame(shown, Number(line), Number(column), lineText, text);
}
