export interface Progress {
    tick(ok: boolean): void;
    stop(): void;
}
export declare function startProgress(stream: NodeJS.WriteStream, total: number | undefined): Progress;
