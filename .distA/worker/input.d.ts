export declare class InputQueue implements AsyncIterable<unknown> {
    private readonly giveCredit;
    private readonly chunks;
    private ended;
    private failure;
    private wake;
    private iterating;
    constructor(giveCredit: () => void);
    push(value: unknown): void;
    end(failure?: Error): void;
    private notify;
    [Symbol.asyncIterator](): AsyncGenerator<unknown, void, undefined>;
}
/** ctx.input of a job that was given no input: ends at once. */
export declare const NO_INPUT: AsyncIterable<unknown>;
