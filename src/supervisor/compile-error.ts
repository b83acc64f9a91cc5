// esbuild's failure message is "Build failed with 1 error:" and its stack is esbuild's own internals: what a
// person needs is the place and the reason, with the line it is on.
interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText: string } | null;
}

/** `file.ts:2:12: Unexpected "*"` and a code frame for the first error of an esbuild failure; the message otherwise. */
export function describeCompileError(error: unknown): string {
  const first = (error as { errors?: EsbuildMessage[] } | undefined)?.errors?.[0];
  if (!first) return (error as Error)?.message ?? String(error);
  const at = first.location;
  if (!at) return first.text;
  const gutter = String(at.line).length;
  return [
    `${at.file}:${at.line}:${at.column + 1}: ${first.text}`,
    `  ${at.line} | ${at.lineText}`,
    `  ${' '.repeat(gutter)} | ${' '.repeat(at.column)}^`,
  ].join('\n');
}
