// esbuild's failure message is "Build failed with 1 error:" and its stack is esbuild's own internals: what a
// person needs is the place and the reason, with the line it is on.
interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText: string } | null;
}

/** `file.ts:2:12: reason` and the line with a caret under the column (0-based, as esbuild counts). */
export function codeFrame(file: string, line: number, column: number, lineText: string, text: string): string {
  const gutter = String(line).length;
  return [`${file}:${line}:${column + 1}: ${text}`, `  ${line} | ${lineText}`, `  ${' '.repeat(gutter)} | ${' '.repeat(column)}^`].join('\n');
}

/** `file.ts:2:12: Unexpected "*"` and a code frame for the first error of an esbuild failure; the message otherwise. */
export function describeCompileError(error: unknown): string {
  const first = (error as { errors?: EsbuildMessage[] } | undefined)?.errors?.[0];
  if (!first) return (error as Error)?.message ?? String(error);
  const at = first.location;
  if (!at) return first.text;
  return codeFrame(at.file, at.line, at.column, at.lineText, first.text);
}
