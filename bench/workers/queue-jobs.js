// Handlers for `npm run bench:queue`, as a supervise worker module: the job name picks one.
import { setTimeout as sleep } from 'node:timers/promises';

export function empty() {
  return 1;
}

/** About `ms` of CPU: a busy loop. */
export function cpu({ ms = 5 } = {}) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x > 0 ? 1 : 0;
}

/** About `ms` of waiting on a timer, standing in for I/O. */
export async function io({ ms = 5 } = {}) {
  await sleep(ms);
  return 1;
}

export default empty;
