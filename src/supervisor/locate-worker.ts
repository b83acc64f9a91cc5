/*
 * One worker path for development and production. Code written for a `tsc`
 * build names its worker by the file the build will emit, `./w.js`; run from
 * source (tsx, vitest) only `./w.ts` exists. As TypeScript's own `nodenext`
 * resolution does, a `.js` path that is not a file falls back to its `.ts`
 * (`.mjs` to `.mts`, `.cjs` to `.cts`, `.jsx` to `.tsx`). The reverse is never
 * tried: a `.ts` path means that very file.
 */
import { statSync } from 'node:fs';
import { WorkerNotFoundError } from '../errors.js';

const TYPESCRIPT_FOR: Record<string, readonly string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The worker module file for an absolute path: itself, or its TypeScript source; WorkerNotFoundError otherwise. */
export function locateWorker(file: string): string {
  if (isFile(file)) return file;
  const extension = /\.[cm]?jsx?$/.exec(file)?.[0];
  const candidates = extension ? (TYPESCRIPT_FOR[extension] ?? []).map((ts) => file.slice(0, -extension.length) + ts) : [];
  for (const candidate of candidates) if (isFile(candidate)) return candidate;
  throw new WorkerNotFoundError([file, ...candidates]);
}
