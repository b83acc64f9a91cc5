export declare function needsCompile(url: string): boolean;
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
export declare class CompileCache {
    private dir;
    private readonly files;
    private disposed;
    private readonly uid;
    /** The directory, made (and checked) on first use. */
    path(): string;
    /** Stores `code` as `name` (a content-hash name), or returns the file already stored under it; returns its path. */
    write(name: string, code: Uint8Array): string;
    /** Throws UnsafeCacheDirError unless `file` is still the file written here, in the directory made here, under safe parents. */
    verify(file: string): void;
    private checkDir;
    /** Removes the directory and its files, if the directory is still the one made here; never throws. */
    dispose(): void;
}
/**
 * Compiles the module at `url` into `cache` and returns the path of the
 * JavaScript to load. Output is named by content hash, so unchanged code is
 * written once and a changed module (a reload after an edit) gets a new file.
 */
export declare function compileWorkerModule(url: string, cache: CompileCache): Promise<string>;
/** What workers load, and a check to run right before each spawn that loads it. */
export interface PreparedModule {
    url: string;
    execArgv: string[];
    /** Throws UnsafeCacheDirError when the compiled file is no longer the one written (no-op for JavaScript modules). */
    verify(): void;
}
/** What workers load: the module itself (JavaScript), or its compiled JavaScript with source maps on (TypeScript). */
export declare function prepareWorkerModule(url: string, cache: CompileCache): Promise<PreparedModule>;
