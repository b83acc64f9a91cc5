// The package as a user gets it: `npm pack`, installed into a fresh strict TypeScript app (module nodenext) that
// names its worker once, as the file its build emits. The app type-checks against the shipped .d.ts files (no
// skipLibCheck for ours) and runs under tsx from source and as compiled JavaScript.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'supervise-consumer-'));
const app = path.join(dir, 'app');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function sh(file: string, args: string[], cwd = app): string {
  return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

beforeAll(() => {
  // dist/ is built by `npm test` before vitest runs; pack without running prepare again
  sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], root);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!;
  mkdirSync(path.join(app, 'src'), { recursive: true });
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { supervise: `file:../${tarball}` } }));
  writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        lib: ['es2023', 'esnext.disposable'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        outDir: 'dist',
        rootDir: 'src',
        types: ['node'],
        typeRoots: [path.join(root, 'node_modules', '@types')],
        skipLibCheck: false,
      },
      include: ['src'],
    }),
  );
  writeFileSync(path.join(app, 'src', 'double.ts'), 'export default (n: number): number => n * 2;\n');
  writeFileSync(
    path.join(app, 'src', 'app.ts'),
    `import { createSupervisor, WorkerNotFoundError, type SuperviseErrorCode } from 'supervise';
import type { JobContext } from 'supervise/worker';

// one path for both: double.ts under tsx, double.js after tsc
const sup = createSupervisor<typeof import('./double.js')>({ worker: new URL('./double.js', import.meta.url), workers: 1 });
const answer: number = await sup.run(21);
await sup.close();
const code: SuperviseErrorCode = new WorkerNotFoundError(['x']).code;
const unused: JobContext | undefined = undefined;
console.log(JSON.stringify({ answer, code, unused: unused ?? null }));
`,
  );
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a strict nodenext app on the packed tarball', () => {
  it('type-checks against the shipped declarations, which hide the internals', () => {
    sh(process.execPath, [tsc, '--noEmit', '-p', '.']);
    writeFileSync(
      path.join(app, 'src', 'internal.ts'),
      "import { errorClasses, describeExit, isRunDefinition, SocketServer } from 'supervise';\nconsole.log(errorClasses, describeExit, isRunDefinition, SocketServer);\n",
    );
    let output = '';
    try {
      sh(process.execPath, [tsc, '--noEmit', '-p', '.']);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    } finally {
      rmSync(path.join(app, 'src', 'internal.ts'));
    }
    for (const name of ['errorClasses', 'describeExit', 'isRunDefinition']) expect(output).toMatch(new RegExp(`has no exported member (named )?'${name}'`));
    expect(output).toMatch(/'SocketServer' (only refers to a type|cannot be used as a value)/);
  });

  it('ships source and declaration maps whose sources are shipped files', () => {
    const installed = path.join(app, 'node_modules', 'supervise');
    const maps = ['dist/index.js.map', 'dist/index.d.ts.map', 'dist/supervisor/supervisor.d.ts.map', 'dist/worker/main.js.map'];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(installed, map), 'utf8')) as { sources: string[] };
      expect(sources.length, map).toBeGreaterThan(0);
      for (const source of sources) expect(existsSync(path.resolve(path.dirname(path.join(installed, map)), source)), `${map} → ${source}`).toBe(true);
    }
  });

  it('runs from source under tsx and compiled with tsc, with the same worker path', () => {
    const fromSource = sh(process.execPath, ['--import', 'tsx', 'src/app.ts']);
    expect(JSON.parse(fromSource)).toEqual({ answer: 42, code: 'ERR_WORKER_NOT_FOUND', unused: null });
    sh(process.execPath, [tsc, '-p', '.']);
    const compiled = sh(process.execPath, ['dist/app.js']);
    expect(JSON.parse(compiled)).toEqual({ answer: 42, code: 'ERR_WORKER_NOT_FOUND', unused: null });
  });
});
