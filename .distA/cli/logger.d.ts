import { type Logger } from 'pino';
export declare function createCliLogger(level: string): Logger;
