/*
 * A run file may `import { defineRun } from 'supervise'` even where no
 * supervise is installed beside it: a global install, or `npx supervise`.
 * Node resolves bare names from the importing file's folder, so there the
 * import would fail; this resolve hook retries `supervise` and `supervise/…`
 * from inside this very package, whose own name resolves through its
 * "exports". Anything that resolves normally (a local install) is untouched.
 */
import { register } from 'node:module';

const HOOKS = `
let self;
export function initialize(data) { self = data.self; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const ours = specifier === 'supervise' || specifier.startsWith('supervise/');
    if (!ours || error?.code !== 'ERR_MODULE_NOT_FOUND' || context.parentURL === self) throw error;
    return next(specifier, { ...context, parentURL: self });
  }
}
`;

let registered = false;

/** Lets modules loaded from here on import `supervise` from anywhere (Node 20.6 and later; a no-op before). */
export function resolveOwnPackageEverywhere(): void {
  if (registered || typeof register !== 'function') return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { self: import.meta.url } });
}
