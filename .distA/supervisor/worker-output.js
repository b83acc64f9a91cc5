import { createLineSplitter } from './line-splitter.js';
/** Per worker, stdout and stderr together. Generous for logging, small beside a flood. */
export const DEFAULT_OUTPUT_BUDGET = Object.freeze({
    bytesPerSecond: 1024 * 1024,
    linesPerSecond: 2000,
    burstBytes: 2 * 1024 * 1024,
    burstLines: 10_000,
});
/** ms between two summaries of dropped output (one more comes when a stream ends). */
export const DROP_REPORT_INTERVAL = 5000;
/**
 * A token bucket in bytes and lines. Tokens may go negative: a line that
 * starts while tokens remain is let through whole, and the debt is paid back
 * before the next one.
 *
 * The gate refills only when a chunk does not fit in the tokens left, so a
 * worker that prints little never costs a clock read (about 200 ns here). The
 * price: tokens earned while the last ones were spent are credited at once, so
 * the first moments of a flood after a quiet spell may get up to two bursts.
 */
export class OutputBudget {
    limits;
    now;
    bytes;
    lines;
    last;
    constructor(limits = DEFAULT_OUTPUT_BUDGET, now = Date.now) {
        this.limits = limits;
        this.now = now;
        this.bytes = limits.burstBytes;
        this.lines = limits.burstLines;
        this.last = now();
    }
    /** Adds the tokens earned since the last refill, up to the burst. */
    refill() {
        const now = this.now();
        const elapsed = now - this.last;
        if (elapsed <= 0)
            return;
        this.last = now;
        const { bytesPerSecond, linesPerSecond, burstBytes, burstLines } = this.limits;
        this.bytes = Math.min(burstBytes, this.bytes + (elapsed * bytesPerSecond) / 1000);
        this.lines = Math.min(burstLines, this.lines + (elapsed * linesPerSecond) / 1000);
    }
    /** True while a new line may start. */
    get open() {
        return this.bytes > 0 && this.lines > 0;
    }
}
/**
 * One stream through the budget: admitted bytes go to a line splitter, the
 * rest is counted. A line is dropped or kept whole, except a line whose start
 * was logged and whose end arrives over budget: its start is logged on its own,
 * and the rest counts as dropped bytes but not as a dropped line. So every line
 * is either logged or counted, once.
 */
export class OutputGate {
    budget;
    onDrop;
    /** Dropped since the last summary. */
    droppedLines = 0;
    droppedBytes = 0;
    /** The stream is inside a dropped line: bytes up to the next newline are dropped too. */
    dropping = false;
    /** The stream is inside a kept line: the splitter holds its start. */
    partial = false;
    /** The line being dropped was logged in part: its end does not count as a dropped line. */
    truncated = false;
    splitter;
    constructor(budget, sink, stream, 
    /** Called after each chunk that dropped something. */
    onDrop) {
        this.budget = budget;
        this.onDrop = onDrop;
        this.splitter = createLineSplitter((line) => {
            budget.lines--;
            sink.line(line, stream);
        });
    }
    push(chunk) {
        const budget = this.budget;
        const length = chunk.length;
        // within budget whatever its line count (a chunk has at most one line per byte): no clock, no scan
        if (budget.bytes >= length && budget.lines >= length && !this.dropping) {
            budget.bytes -= length;
            this.partial = chunk[length - 1] !== 10;
            this.splitter.push(chunk);
            return;
        }
        budget.refill();
        let start = 0;
        if (this.dropping) {
            const newline = chunk.indexOf(10);
            if (newline === -1) {
                this.droppedBytes += length;
                return this.onDrop();
            }
            start = newline + 1;
            this.droppedBytes += start;
            if (this.truncated)
                this.truncated = false;
            else
                this.droppedLines++;
            this.dropping = false;
            if (start === length)
                return this.onDrop();
        }
        const rest = length - start;
        if (budget.bytes >= rest && budget.lines >= rest) {
            budget.bytes -= rest;
            this.partial = chunk[length - 1] !== 10;
            this.splitter.push(start === 0 ? chunk : chunk.subarray(start));
            if (start !== 0)
                this.onDrop();
            return;
        }
        // tight: take whole lines while tokens last (the budget's line count is spent by the splitter's callback)
        let end = start;
        let lines = budget.lines;
        let bytes = budget.bytes;
        if (this.partial && !(bytes > 0 && lines > 0)) {
            // the rest of a kept line arrives over budget: log its start as it is, drop the rest
            this.splitter.flush();
            this.partial = false;
            this.truncated = true;
        }
        while (end < length && bytes > 0 && lines > 0) {
            const newline = chunk.indexOf(10, end);
            const next = newline === -1 ? length : newline + 1;
            bytes -= next - end;
            lines--;
            end = next;
        }
        if (end > start) {
            budget.bytes -= end - start;
            this.partial = chunk[end - 1] !== 10;
            this.splitter.push(chunk.subarray(start, end));
        }
        if (end < length) {
            let count = 0;
            for (let at = chunk.indexOf(10, end); at !== -1; at = chunk.indexOf(10, at + 1))
                count++;
            if (this.truncated && count > 0) {
                this.truncated = false;
                count--;
            }
            this.droppedLines += count;
            this.droppedBytes += length - end;
            this.dropping = chunk[length - 1] !== 10;
        }
        if (end < length || start !== 0)
            this.onDrop();
    }
    /** The stream ended: log a kept partial line, count a dropped one. */
    end() {
        this.splitter.flush();
        this.partial = false;
        if (this.dropping && !this.truncated)
            this.droppedLines++;
        this.dropping = false;
        this.truncated = false;
    }
    /** Takes the counts since the last call. */
    takeDropped() {
        const counts = { lines: this.droppedLines, bytes: this.droppedBytes };
        this.droppedLines = 0;
        this.droppedBytes = 0;
        return counts;
    }
}
/**
 * Reads a worker's stdout and stderr for as long as they are open, and hands
 * their lines to `sink` within one budget for both. Returns nothing to manage:
 * it ends with the streams.
 */
export function pipeWorkerOutput(stdout, stderr, sink, options = {}) {
    const budget = new OutputBudget(options.budget ?? DEFAULT_OUTPUT_BUDGET, options.now);
    const reportInterval = options.reportInterval ?? DROP_REPORT_INTERVAL;
    let timer;
    const report = (gate, stream) => {
        if (gate.droppedLines === 0 && gate.droppedBytes === 0)
            return;
        sink.dropped({ stream, ...gate.takeDropped() });
    };
    const reportAll = () => {
        timer = undefined;
        report(out, 'stdout');
        report(err, 'stderr');
    };
    const onDrop = () => {
        if (timer)
            return;
        timer = setTimeout(reportAll, reportInterval);
        timer.unref();
    };
    const out = new OutputGate(budget, sink, 'stdout', onDrop);
    const err = new OutputGate(budget, sink, 'stderr', onDrop);
    const tail = options.tail;
    let open = 2;
    const wire = (stream, gate, name) => {
        let ended = false;
        const end = () => {
            if (ended)
                return;
            ended = true;
            gate.end();
            report(gate, name);
            if (--open === 0)
                clearTimeout(timer);
        };
        stream.on('end', end);
        stream.on('close', end);
    };
    stdout.on('data', (chunk) => out.push(chunk));
    stderr.on('data', tail
        ? (chunk) => {
            tail.push(chunk);
            err.push(chunk);
        }
        : (chunk) => err.push(chunk));
    wire(stdout, out, 'stdout');
    wire(stderr, err, 'stderr');
}
/** `dropped 12,345 lines (3.2 MB) of stdout from worker 3` */
export function describeDropped(summary, workerId) {
    const lines = `${summary.lines.toLocaleString('en-US')} line${summary.lines === 1 ? '' : 's'}`;
    return `dropped ${lines} (${formatBytes(summary.bytes)}) of ${summary.stream} from worker ${workerId}`;
}
/** Decimal units, one decimal: `512 B`, `3.2 kB`, `3.2 MB`, `1.4 GB`. */
export function formatBytes(bytes) {
    if (bytes < 1000)
        return `${bytes} B`;
    if (bytes < 1e6)
        return `${(bytes / 1e3).toFixed(1)} kB`;
    if (bytes < 1e9)
        return `${(bytes / 1e6).toFixed(1)} MB`;
    return `${(bytes / 1e9).toFixed(1)} GB`;
}
//# sourceMappingURL=worker-output.js.map