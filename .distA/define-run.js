const RUN_DEFINITION = Symbol.for('supervise.run-definition');
/** Marks a run file's default export so `supervise run` can tell it from a worker module. */
export function defineRun(definition) {
    Object.defineProperty(definition, RUN_DEFINITION, { value: true });
    return definition;
}
export function isRunDefinition(value) {
    return typeof value === 'object' && value !== null && value[RUN_DEFINITION] === true;
}
//# sourceMappingURL=define-run.js.map