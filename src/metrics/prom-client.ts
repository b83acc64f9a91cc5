// prom-client is an optional peer dependency: only apps that import `supervise/metrics` need it, and those
// that do not have it get one message saying what to install instead of a bare ERR_MODULE_NOT_FOUND.
import { SuperviseError } from '../errors.js';

export type PromClient = typeof import('prom-client');
export type { Registry } from 'prom-client';

export async function loadPromClient(): Promise<PromClient> {
  try {
    return await import('prom-client');
  } catch (error) {
    if ((error as { code?: unknown })?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new SuperviseError('ERR_MISSING_PEER', "supervise/metrics needs prom-client: npm install prom-client", { cause: error });
  }
}
