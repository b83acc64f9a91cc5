import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { CliFlags } from './args.js';
export interface RunIo {
    stdin: NodeJS.ReadStream;
    stdout: Writable;
    stderr: NodeJS.WriteStream;
    log: Logger;
}
/** sysexits.h EX_IOERR: stdout could not be written (ENOSPC, EIO, ...), so results were lost. */
export declare const OUTPUT_ERROR_EXIT = 74;
export declare function runCommand(file: string, flags: CliFlags, io: RunIo): Promise<number>;
