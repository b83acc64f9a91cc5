/*
 * TypeScript worker modules are compiled once, here in the supervisor, so that
 * every worker process loads plain JavaScript instead of paying for a
 * TypeScript loader at each spawn (~150–250 ms and ~20 MB a process).
 *
 *   module.ts ─► esbuild (bundle own files; packages stay external, by absolute path)
 *             ─► <tmp>/supervise-<uid>/<content hash>.mjs ─► workers import this
 *
 * Each source file keeps its own `import.meta.url` (and dirname/filename), so
 * `new URL('./data.json', import.meta.url)` still points next to the source.
 * Packages are not bundled: they are imported from where they were resolved,
 * so there is one copy of each, exactly as without compilation.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

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

/**
 * Compiles the module at `url` and returns the file URL of the JavaScript to
 * load. Output is named by content hash, so unchanged code is written once
 * and a changed module (a reload after an edit) gets a new file.
 */
export async function compileWorkerModule(url: string): Promise<string> {
  const { build } = await import('esbuild');
  const entry = fileURLToPath(url);
  const result = await build({
    entryPoints: [entry],
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
  const dir = path.join(tmpdir(), `supervise-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${path.basename(entry).replace(TS_EXTENSION, '')}-${hash}.mjs`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, code);
  renameSync(temp, file);
  return pathToFileURL(file).href;
}

/** What workers load: the module itself (JavaScript), or its compiled JavaScript with source maps on (TypeScript). */
export async function prepareWorkerModule(url: string): Promise<{ url: string; execArgv: string[] }> {
  if (!needsCompile(url)) return { url, execArgv: [] };
  return { url: await compileWorkerModule(url), execArgv: ['--enable-source-maps'] };
}
