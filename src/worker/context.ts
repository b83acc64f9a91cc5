// The per-job `ctx` handed to handlers; the signal and logger are made only if the handler asks.
import type { Logger } from 'pino';
import type { JobContext } from './types.js';

export class Context implements JobContext {
  private controller: AbortController | undefined;
  private logger: Logger | undefined;
  private abortReason: Error | undefined;

  constructor(
    readonly jobId: number,
    private readonly rootLog: () => Logger,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get log(): Logger {
    return (this.logger ??= this.rootLog().child({ jobId: this.jobId }));
  }

  /** Aborts the signal (now, or when it is first read). */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
