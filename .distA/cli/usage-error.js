// A mistake in how the command was called or configured: printed as one line, exit code 2, no stack trace.
export class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
//# sourceMappingURL=usage-error.js.map