// Loads the user's worker module and builds its handler table; failures here are boot failures.
import { DEFAULT_HANDLER } from '../protocol/index.js';
const TS_EXTENSION = /\.(?:c|m)?tsx?$/;
/** Registers the TypeScript loader once, only when the module needs it. */
async function enableTypeScript(url) {
    if (!TS_EXTENSION.test(new URL(url).pathname))
        return;
    const { register } = await import('tsx/esm/api');
    register();
}
/**
 * Imports the module and returns its handlers (the default export plus every
 * named function export) and its settings (the `supervise` object export).
 */
export async function loadHandlers(url) {
    await enableTypeScript(url);
    const mod = (await import(url));
    const handlers = new Map();
    const declared = mod.supervise;
    if (declared !== undefined && (declared === null || typeof declared !== 'object')) {
        throw new TypeError(`its \`supervise\` export must be an object of settings, like \`{ keepProcessGroup: true }\`; got ${declared === null ? 'null' : typeof declared}`);
    }
    const settings = { keepProcessGroup: declared?.keepProcessGroup === true };
    for (const [name, value] of Object.entries(mod)) {
        if (typeof value === 'function')
            handlers.set(name === 'default' ? DEFAULT_HANDLER : name, value);
    }
    if (handlers.size === 0) {
        const exported = Object.keys(mod);
        throw new Error(`it exports no handler function (${exported.length ? `exports: ${exported.join(', ')}` : 'no exports'}); export a default function \`(payload, ctx) => result\` or named functions`);
    }
    return { handlers, settings };
}
//# sourceMappingURL=load-module.js.map