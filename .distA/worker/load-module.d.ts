import type { Handler } from './types.js';
/** What a worker module may say about itself: `export const supervise = { keepProcessGroup: true }`. */
export interface ModuleSettings {
    /** Leave the worker's process group alone when it ends, so daemons its handlers start survive it. @default false */
    keepProcessGroup: boolean;
}
/**
 * Imports the module and returns its handlers (the default export plus every
 * named function export) and its settings (the `supervise` object export).
 */
export declare function loadHandlers(url: string): Promise<{
    handlers: Map<string, Handler>;
    settings: ModuleSettings;
}>;
