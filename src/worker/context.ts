// The per-job `ctx` handed to handlers; the signal, logger and meta are made only if the handler asks.
import type { Logger } from 'pino';
import { PayloadError } from '../errors.js';
import { SentChunks, STREAM_WINDOW } from '../protocol/index.js';
import { NO_INPUT, type InputQueue } from './input.js';
import type { JobContext } from './types.js';

/** Where a context's latest progress value waits until the runtime sends it (once per turn of the event loop). */
export interface ProgressOutbox {
  post(ctx: Context): void;
}

export class Context implements JobContext {
  private controller: AbortController | undefined;
  private logger: Logger | undefined;
  private abortReason: Error | undefined;
  private metaValue: unknown;
  private metaParsed = false;
  /** The latest progress value not yet sent; earlier ones it replaced were never sent. */
  pendingProgress: { value: unknown } | undefined;
  /** Chunks a generator handler may still send before the caller takes some (credit-based backpressure). */
  credits = STREAM_WINDOW;
  /** The chunks sent and not yet taken, for the byte window. */
  readonly unread = new SentChunks();
  /** Wakes a generator handler waiting for credit. */
  onCredit: (() => void) | undefined;
  /** The job's input stream, when the caller gave one. */
  inputQueue: InputQueue | undefined;

  constructor(
    readonly jobId: number,
    readonly attempt: number,
    private readonly metaText: string | undefined,
    private readonly rootLog: () => Logger,
    private readonly outbox: ProgressOutbox,
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

  /** The caller's `input`, chunk by chunk; ends at once for a job given none. */
  get input(): AsyncIterable<unknown> {
    return this.inputQueue ?? NO_INPUT;
  }

  get meta(): unknown {
    if (!this.metaParsed) {
      this.metaParsed = true;
      this.metaValue = this.metaText === undefined ? undefined : JSON.parse(this.metaText);
    }
    return this.metaValue;
  }

  /**
   * Reports progress. Latest wins: calls made before the runtime's next send
   * replace each other, so a tight loop of updates costs one frame per turn of
   * the event loop, and only the value sent is encoded. A function or symbol
   * throws a PayloadError here; a value that turns out not to travel when it is
   * sent is reported on stderr and dropped.
   */
  progress(value: unknown): void {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new PayloadError(`Cannot send a ${typeof value} as progress: only data can cross the channel`);
    }
    if (this.pendingProgress === undefined) {
      this.pendingProgress = { value };
      this.outbox.post(this);
    } else {
      this.pendingProgress.value = value;
    }
  }

  /** Aborts the signal (now, or when it is first read). */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.onCredit?.();
  }

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }
}
