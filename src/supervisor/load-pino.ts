// pino, loaded on first use. A supervisor that logs nothing (the default when embedded) and whose workers print
// nothing never needs it, and loading it costs a process about 9 MiB of memory.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';

let loaded: typeof Pino | undefined;

export function loadPino(): typeof Pino {
  return (loaded ??= createRequire(import.meta.url)('pino') as typeof Pino);
}
