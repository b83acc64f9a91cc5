export declare class UsageError extends Error {
    constructor(message: string);
}
