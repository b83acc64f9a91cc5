/*
 * Tells a run file from a worker module. A run file's default export is made
 * by defineRun(), so its source calls defineRun; only such files are imported
 * here, in the CLI process. A worker module is never imported by the CLI: it
 * runs only inside workers, so its top-level code (and any load error) stays
 * there, where boot failures are reported with the worker's stderr.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isRunDefinition } from '../define-run.js';
import { UsageError } from './usage-error.js';
const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx']);
const CALLS_DEFINE_RUN = /\bdefineRun\s*\(/;
async function importFile(file) {
    const url = pathToFileURL(file).href;
    if (/\.(?:c|m)?tsx?$/.test(file)) {
        const { tsImport } = await import('tsx/esm/api');
        return (await tsImport(url, import.meta.url));
    }
    return (await import(url));
}
/** Resolves `file` and checks it is a JavaScript or TypeScript module file; UsageError otherwise. */
export async function checkModuleFile(file) {
    const absolute = path.resolve(file);
    let info;
    try {
        info = await stat(absolute);
    }
    catch {
        throw new UsageError(`no such file: ${file}`);
    }
    if (!info.isFile())
        throw new UsageError(`not a file: ${file}`);
    if (!MODULE_EXTENSIONS.has(path.extname(absolute))) {
        throw new UsageError(`${file} is not a JavaScript or TypeScript module (expected one of ${[...MODULE_EXTENSIONS].join(' ')})`);
    }
    return absolute;
}
export async function loadFile(file) {
    const absolute = await checkModuleFile(file);
    const source = await readFile(absolute, 'utf8');
    if (!CALLS_DEFINE_RUN.test(source)) {
        if (!/\bexport\b|module\.exports|exports\./.test(source)) {
            throw new UsageError(`${file} is neither a run file (default export from defineRun) nor a worker module (it exports nothing)`);
        }
        return { kind: 'worker', path: absolute };
    }
    let mod;
    try {
        mod = await importFile(absolute);
    }
    catch (error) {
        throw new UsageError(`cannot load run file ${file}: ${error?.message ?? String(error)}`);
    }
    const definition = mod.default?.default ?? mod.default;
    if (!isRunDefinition(definition)) {
        throw new UsageError(`${file} calls defineRun but its default export is not a run definition; write \`export default defineRun({ worker, jobs })\``);
    }
    return { kind: 'run', path: absolute, definition };
}
//# sourceMappingURL=load-file.js.map