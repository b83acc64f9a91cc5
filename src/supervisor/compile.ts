/*
 * TypeScript worker modules are compiled once, here in the supervisor, so that
 * every worker process loads plain JavaScript instead of paying for a
 * TypeScript loader at each spawn (~150–250 ms and ~20 MB a process).
 *
 *   module.ts ─► esbuild (bundle own files; packages stay external, by absolute path)
 *             ─► <tmp>/supervise-<pid>-<pid namespace>-XXXXXX/<name>-<content hash>.mjs ─► workers import this
 *
 * Each source file keeps its own `import.meta.url` (and dirname/filename), so
 * `new URL('./data.json', import.meta.url)` still points next to the source.
 * Packages are not bundled: they are imported from where they were resolved,
 * so there is one copy of each, exactly as without compilation.
 *
 * Workers run whatever is in that file, so it must be ours: see CompileCache.
 * The inline source map names the user's files, so stack traces do too.
 */
import { closeSync, fstatSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { UnsafeCacheDirError } from '../errors.js';

const TS_EXTENSION = /\.(?:c|m)?tsx?$/;
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' } as const;

export function needsCompile(url: string): boolean {
  return TS_EXTENSION.test(new URL(url).pathname);
}

/** Keeps packages (bare specifiers) out of the bundle, pinned to the file they resolve to from the importing source. */
function externalPackages(): Plugin {
  return {
    name: 'supervise-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner' || args.path.startsWith('node:')) return undefined;
        if (args.kind === 'entry-point') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (resolved.errors.length > 0 || !resolved.path) return { path: args.path, external: true };
        if (!resolved.path.includes(`${path.sep}node_modules${path.sep}`) && !resolved.external) {
          // a workspace or self-referenced package: still external, so it is loaded once and not copied
          return { path: pathToFileURL(resolved.path).href, external: true };
        }
        return { path: resolved.external ? args.path : pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

/** Gives every source file its own import.meta.url/dirname/filename instead of the bundle's. */
function keepImportMeta(): Plugin {
  return {
    name: 'supervise-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.(?:[cm]?[jt]sx?)$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const extension = path.extname(args.path) as keyof typeof LOADERS;
        const source = readFileSync(args.path, 'utf8');
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
        return { contents, loader: LOADERS[extension] ?? 'ts' };
      });
    },
  };
}

/** Where a file or directory lives: a path can be made to point elsewhere, a (device, inode) pair cannot. */
interface Identity {
  dev: number;
  ino: number;
}

const sameFile = (a: Identity, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;
const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Throws unless `dir` and every directory above it can be changed only by root
 * or by us: whoever can write to a directory without a sticky bit (or owns it)
 * can rename what is inside, so one weak link lets another user put their own
 * directory where ours was.
 */
function checkAncestors(dir: string, uid: number): void {
  for (let current = dir; ; current = path.dirname(current)) {
    const stats = lstatSync(current);
    if (!stats.isDirectory()) throw new UnsafeCacheDirError(current, 'it is not a directory');
    if (stats.uid !== 0 && stats.uid !== uid) throw new UnsafeCacheDirError(current, `it belongs to another user (uid ${stats.uid})`);
    if ((stats.mode & 0o022) !== 0 && (stats.mode & 0o1000) === 0) {
      throw new UnsafeCacheDirError(current, `others can write to it (mode ${octal(stats.mode)}) and it has no sticky bit`);
    }
    if (path.dirname(current) === current) return;
  }
}

/** Caches not yet disposed; removed by the exit hook when the process ends without closing them. */
const live = new Set<CompileCache>();
let exitHook = false;
/** Parent directories already swept by this process. */
const swept = new Set<string>();

/**
 * The pid namespace, in cache directory names: a pid means something only in
 * its own namespace, so directories of processes in another container sharing
 * this TMPDIR are never taken for dead ones. '0' where there is no /proc.
 */
const PID_NAMESPACE = (() => {
  try {
    return /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '0';
  } catch {
    return '0';
  }
})();

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes cache directories that our own processes left behind when they died
 * by a signal (SIGKILL, or a SIGTERM nobody handled) and no exit hook ran, so
 * they do not pile up. Only directories named like ours, of a process of this
 * pid namespace that no longer exists, owned by us with mode 0700, are removed.
 */
function sweepStale(parent: string, uid: number): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  let names: string[] = [];
  try {
    names = readdirSync(parent);
  } catch {
    // best effort here and below: a leftover directory is untidy, not unsafe
  }
  for (const name of names) {
    const match = /^supervise-(\d+)-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!match || match[2] !== PID_NAMESPACE || processExists(Number(match[1]))) continue;
    const dir = path.join(parent, name);
    try {
      const stats = lstatSync(dir);
      if (stats.isDirectory() && stats.uid === uid && (stats.mode & 0o7777) === 0o700) rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

/**
 * A supervisor's own directory for compiled modules, safe from other local users:
 *
 * - made with mkdtemp: a fresh, unguessable name, mode 0700, owned by us; never
 *   a directory someone prepared in advance (`$TMPDIR/supervise-<uid>` was);
 * - under a chain of directories only root or we can rename things in;
 * - files are created with O_EXCL, read-only, and remembered by device and inode;
 * - before every spawn, `verify()` checks that the directory and the file are
 *   still the very ones made here, so a swapped file is never run;
 * - removed at `dispose()` (the supervisor's close or destroy) and at process exit.
 */
export class CompileCache {
  private dir: (Identity & { path: string }) | undefined;
  private readonly files = new Map<string, Identity>();
  private disposed = false;
  private readonly uid = process.getuid?.() ?? 0;

  /** The directory, made (and checked) on first use. */
  path(): string {
    if (this.disposed) throw new Error('the compile cache was disposed (the supervisor is closed)');
    if (this.dir) return this.dir.path;
    const parent = realpathSync(tmpdir());
    checkAncestors(parent, this.uid);
    sweepStale(parent, this.uid);
    const made = mkdtempSync(path.join(parent, `supervise-${process.pid}-${PID_NAMESPACE}-`));
    const stats = lstatSync(made);
    this.dir = { path: made, dev: stats.dev, ino: stats.ino };
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const cache of live) cache.dispose();
      });
    }
    this.checkDir();
    return made;
  }

  /** Stores `code` as `name` (a content-hash name), or returns the file already stored under it; returns its path. */
  write(name: string, code: Uint8Array): string {
    const file = path.join(this.path(), name);
    if (this.files.has(file)) return file;
    // O_CREAT | O_EXCL: fails on anything already there, a symbolic link included
    const fd = openSync(file, 'wx', 0o400);
    try {
      for (let written = 0; written < code.length; ) written += writeSync(fd, code, written);
      const stats = fstatSync(fd);
      this.files.set(file, { dev: stats.dev, ino: stats.ino });
    } finally {
      closeSync(fd);
    }
    return file;
  }

  /** Throws UnsafeCacheDirError unless `file` is still the file written here, in the directory made here, under safe parents. */
  verify(file: string): void {
    let stats: Stats | undefined;
    try {
      this.checkDir();
      stats = lstatSync(file);
    } catch (error) {
      if (error instanceof UnsafeCacheDirError) throw error;
      // what cannot be checked is not run: a missing file, an unreadable directory above it
    }
    const expected = this.files.get(file);
    if (!expected || !stats || !stats.isFile() || !sameFile(expected, stats) || stats.uid !== this.uid) {
      throw new UnsafeCacheDirError(file, 'the compiled file was removed or replaced after it was written, or cannot be checked');
    }
  }

  private checkDir(): void {
    const dir = this.dir;
    if (!dir) throw new Error('the compile cache has no directory yet');
    checkAncestors(path.dirname(dir.path), this.uid);
    let stats: Stats | undefined;
    try {
      stats = lstatSync(dir.path);
    } catch {
      // gone: reported below like a replaced directory
    }
    if (!stats || !stats.isDirectory() || !sameFile(dir, stats)) throw new UnsafeCacheDirError(dir.path, 'the directory was removed or replaced after it was made');
    if (stats.uid !== this.uid || (stats.mode & 0o077) !== 0) {
      throw new UnsafeCacheDirError(dir.path, `it is no longer private (owner uid ${stats.uid}, mode ${octal(stats.mode)})`);
    }
  }

  /** Removes the directory and its files, if the directory is still the one made here; never throws. */
  dispose(): void {
    this.disposed = true;
    live.delete(this);
    const dir = this.dir;
    if (!dir) return;
    try {
      if (sameFile(dir, lstatSync(dir.path))) rmSync(dir.path, { recursive: true, force: true });
    } catch {
      // already gone, or not ours to remove
    }
  }
}

/**
 * Compiles the module at `url` into `cache` and returns the path of the
 * JavaScript to load. Output is named by content hash, so unchanged code is
 * written once and a changed module (a reload after an edit) gets a new file.
 */
export async function compileWorkerModule(url: string, cache: CompileCache): Promise<string> {
  // node:crypto (~2 MiB) only once a TypeScript module is compiled: a supervisor of .js workers never loads it
  const [{ build }, { createHash }] = await Promise.all([import('esbuild'), import('node:crypto')]);
  const entry = fileURLToPath(url);
  const name = path.basename(entry).replace(TS_EXTENSION, '');
  const result = await build({
    entryPoints: [entry],
    // never written (write: false); the source map's paths are relative to this, the directory the file will be in
    outfile: path.join(cache.path(), `${name}.mjs`),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'inline',
    sourcesContent: false,
    preserveSymlinks: true,
    logLevel: 'silent',
    plugins: [externalPackages(), keepImportMeta()],
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash('sha256').update(entry).update(code).digest('hex').slice(0, 16);
  return cache.write(`${name}-${hash}.mjs`, code);
}

/** What workers load, and a check to run right before each spawn that loads it. */
export interface PreparedModule {
  url: string;
  execArgv: string[];
  /** Throws UnsafeCacheDirError when the compiled file is no longer the one written (no-op for JavaScript modules). */
  verify(): void;
}

/** What workers load: the module itself (JavaScript), or its compiled JavaScript with source maps on (TypeScript). */
export async function prepareWorkerModule(url: string, cache: CompileCache): Promise<PreparedModule> {
  if (!needsCompile(url)) return { url, execArgv: [], verify: () => {} };
  const file = await compileWorkerModule(url, cache);
  return { url: pathToFileURL(file).href, execArgv: ['--enable-source-maps'], verify: () => cache.verify(file) };
}
