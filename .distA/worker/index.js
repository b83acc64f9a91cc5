export * from '../errors.js';
/** Identity helper that types a handler's payload and result. */
export function defineHandler(handler) {
    return handler;
}
//# sourceMappingURL=index.js.map