import { type RunDefinition } from '../define-run.js';
export type LoadedFile = {
    kind: 'run';
    path: string;
    definition: RunDefinition;
} | {
    kind: 'worker';
    path: string;
};
/** Resolves `file` and checks it is a JavaScript or TypeScript module file; UsageError otherwise. */
export declare function checkModuleFile(file: string): Promise<string>;
export declare function loadFile(file: string): Promise<LoadedFile>;
