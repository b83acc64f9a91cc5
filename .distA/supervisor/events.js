// The supervisor's lifecycle events and a typed EventEmitter for them.
import { EventEmitter } from 'node:events';
/** EventEmitter whose on/once/off/emit are checked against an event map. */
export class TypedEmitter extends EventEmitter {
    on(event, listener) {
        return super.on(event, listener);
    }
    once(event, listener) {
        return super.once(event, listener);
    }
    off(event, listener) {
        return super.off(event, listener);
    }
    emit(event, ...args) {
        return super.emit(event, ...args);
    }
}
//# sourceMappingURL=events.js.map