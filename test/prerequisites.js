// Run by `npm test` before anything else: the suite drives real system tools, and a missing one should be one
// clear message naming it and how to install it, not a confusing failure deep in a test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The path of a program on PATH (or in the sbin directories, where Debian puts nginx), or undefined. */
function findProgram(name) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => path.join(dir, name)).find((file) => existsSync(file));
}

// nginx must carry its stream module, built in or as Debian's dynamic module
function nginxStream(binary) {
  const configure = spawnSync(binary, ['-V'], { encoding: 'utf8' }).stderr ?? '';
  if (/--with-stream(?:\s|$)/.test(configure)) return true;
  if (!/--with-stream=dynamic/.test(configure)) return false;
  const modules = /--modules-path=(\S+)/.exec(configure)?.[1] ?? '/usr/lib/nginx/modules';
  return existsSync(path.join(modules, 'ngx_stream_module.so'));
}

const needs = [
  { name: 'ss', install: 'iproute2', why: 'the socketpair proof test' },
  { name: 'socat', install: 'socat', why: 'serve-mode clients' },
  { name: 'python3', install: 'python3', why: 'the echo client and the terminal (pty) tests' },
  { name: 'setpriv', install: 'util-linux', why: 'a serve client as another user' },
  { name: 'nginx', install: 'nginx libnginx-mod-stream', why: 'nginx in front of supervise serve' },
];

const missing = [];
for (const need of needs) {
  const found = findProgram(need.name);
  if (!found) missing.push(need);
  else if (need.name === 'nginx' && !nginxStream(found)) missing.push({ ...need, name: 'nginx stream module', install: 'libnginx-mod-stream' });
}

if (process.platform !== 'linux') {
  console.error('npm test: the test suite runs on Linux (it reads /proc and runs ss, setpriv and nginx); the library itself also supports macOS.');
  process.exit(1);
}
if (missing.length > 0) {
  console.error('npm test: the tests need system tools that are missing:');
  for (const need of missing) console.error(`  ${need.name.padEnd(20)} for ${need.why}`);
  console.error(`Install them (Debian/Ubuntu): apt-get install ${[...new Set(missing.map((m) => m.install))].join(' ')}`);
  console.error('or run .ci/run, which installs them and then runs the tests.');
  process.exit(1);
}
