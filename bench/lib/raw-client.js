// The RAW baseline's parent side: child_process.spawn() with stdio[3] = 'pipe'
// (the same anonymous socketpair supervise uses) and 4-byte length-prefixed
// frames. Kept apart from the other contenders so the memory probe can use it
// without loading supervise, piscina or execa.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LengthPrefixDecoder, header } from './lp.js';

export const RAW_ECHO = fileURLToPath(new URL('../workers/raw-echo.js', import.meta.url));

/** Spawns one raw fd-3 echo child; returns a client whose echo(bytes) resolves with the echoed bytes. */
export function spawnRaw(moduleUrl) {
  const args = [RAW_ECHO];
  if (moduleUrl) args.push(String(moduleUrl));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  const sock = child.stdio[3];
  // replies come back in order: a FIFO of resolvers is all the correlation needed
  const waiting = [];
  let head = 0;
  const decoder = new LengthPrefixDecoder((payload) => {
    const resolve = waiting[head];
    waiting[head++] = undefined;
    if (head > 4096 && head * 2 > waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    resolve(payload);
  });
  sock.on('data', (chunk) => decoder.push(chunk));
  let corked = false;
  const uncork = () => {
    corked = false;
    sock.uncork();
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    pid: child.pid,
    echo(bytes) {
      // frames written in one tick leave in one writev
      if (!corked) {
        corked = true;
        sock.cork();
        process.nextTick(uncork);
      }
      sock.write(header(bytes.byteLength));
      sock.write(bytes);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      sock.end();
      await exited;
    },
  };
}

