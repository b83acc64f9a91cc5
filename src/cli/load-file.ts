/*
 * Tells a run file from a worker module. A run file's default export is made
 * by defineRun(), or is a plain `{ worker, jobs }` object, so its source calls
 * defineRun or says `export default {`; only such files are imported here, in
 * the CLI process. A worker module is never imported by the CLI: it
 * runs only inside workers, so its top-level code (and any load error) stays
 * there, where boot failures are reported with the worker's stderr.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isRunDefinition, type RunDefinition } from '../define-run.js';
import { OPTION_NAMES } from '../supervisor/options.js';
import { closestFlag } from './flags.js';
import { describeLoadError } from './load-error.js';
import { resolveOwnPackageEverywhere } from './own-package.js';
import { UsageError } from './usage-error.js';

export type LoadedFile = { kind: 'run'; path: string; definition: RunDefinition } | { kind: 'worker'; path: string };

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx']);
const CALLS_DEFINE_RUN = /\bdefineRun\s*\(/;
/** `export default { worker, jobs }`: a run file written without defineRun (a worker module exports functions). */
const EXPORTS_PLAIN_OBJECT = /\bexport\s+default\s*\{/;

async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  resolveOwnPackageEverywhere();
  if (/\.(?:c|m)?tsx?$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** Resolves `file` and checks it is a JavaScript or TypeScript module file; UsageError otherwise. */
export async function checkModuleFile(file: string): Promise<string> {
  const absolute = path.resolve(file);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new UsageError(`no such file: ${file}`);
  }
  if (!info.isFile()) throw new UsageError(`not a file: ${file}`);
  if (!MODULE_EXTENSIONS.has(path.extname(absolute))) {
    throw new UsageError(`${file} is not a JavaScript or TypeScript module (expected one of ${[...MODULE_EXTENSIONS].join(' ')})`);
  }
  return absolute;
}

export async function loadFile(file: string): Promise<LoadedFile> {
  const absolute = await checkModuleFile(file);
  const source = await readFile(absolute, 'utf8');
  const callsDefineRun = CALLS_DEFINE_RUN.test(source);
  if (!callsDefineRun && !EXPORTS_PLAIN_OBJECT.test(source)) {
    if (!/\bexport\b|module\.exports|exports\./.test(source)) {
      throw new UsageError(`${file} is neither a run file (default export from defineRun) nor a worker module (it exports nothing)`);
    }
    return { kind: 'worker', path: absolute };
  }
  let mod;
  try {
    mod = await importFile(absolute);
  } catch (error) {
    const message = describeLoadError(error);
    // the resolve hook serves ES modules only; a run file Node loads as CommonJS cannot borrow this package
    const hint = /Cannot find (module|package) 'supervise/.test(message)
      ? "; install supervise beside it, or make it an ES module (.mts, or \"type\": \"module\" in its package.json), or drop the import: `export default { worker, jobs }` is a run file too"
      : '';
    throw new UsageError(`cannot load run file ${file}: ${message}${hint}`);
  }
  const definition = (mod.default as { default?: unknown } | undefined)?.default ?? mod.default;
  if (!isRunDefinition(definition)) {
    if (!callsDefineRun) return { kind: 'worker', path: absolute };
    throw new UsageError(`${file} calls defineRun but its default export is not a run definition; write \`export default defineRun({ worker, jobs })\``);
  }
  checkRunDefinition(definition);
  return { kind: 'run', path: absolute, definition };
}

const RUN_KEYS = [...OPTION_NAMES, 'jobs', 'name', 'format'];

/**
 * What the supervisor's options do not check in a run file: its own keys. A misspelt option (`wrkers`) would
 * otherwise be ignored without a word, and a `format` that is not a function would fail once per job.
 */
function checkRunDefinition(definition: RunDefinition): void {
  for (const key of Object.keys(definition)) {
    if (RUN_KEYS.includes(key)) continue;
    const suggestion = closestFlag(key, RUN_KEYS);
    throw new UsageError(`the run file has an unknown key '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
  }
  if (definition.format !== undefined && typeof definition.format !== 'function') throw new UsageError("the run file's `format` must be a function");
  if (definition.name !== undefined && (typeof definition.name !== 'string' || definition.name === '')) throw new UsageError("the run file's `name` must be a handler name");
}
