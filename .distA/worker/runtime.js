import { AbortError, UnknownHandlerError } from '../errors.js';
import { decodeValue, checkFrameSize, encodeWireValue, Enc, FrameDecoder, FrameKind, FrameWriter, PROTOCOL_VERSION, parseJobPayload, serializeError, WorkerExit, STREAM_WINDOW, JOB_HAS_INPUT, chunkBytes, creditPayload, readCredit, deserializeError, parseJson, } from '../protocol/index.js';
import { InputQueue } from './input.js';
import { ProtocolError } from '../errors.js';
import { Lifecycle } from '../lifecycle.js';
import { Context } from './context.js';
import { startHeartbeat } from './heartbeat.js';
const RUNTIME_MOVES = {
    serving: ['draining', 'exiting'],
    draining: ['exiting'],
    exiting: [],
};
export class WorkerRuntime {
    options;
    writer;
    decoder;
    inFlight = new Map();
    handlerNames;
    life = new Lifecycle(RUNTIME_MOVES, 'serving');
    beforeExitDone = false;
    beforeExitStarted = false;
    stopHeartbeat = () => { };
    onFrameBound = (frame) => this.onFrame(frame);
    progressQueue = new Set();
    progressScheduled = false;
    progressOutbox = {
        post: (ctx) => {
            this.progressQueue.add(ctx);
            if (this.progressScheduled)
                return;
            this.progressScheduled = true;
            setImmediate(() => this.flushProgress());
        },
    };
    constructor(options) {
        this.options = options;
        this.writer = new FrameWriter(options.channel);
        this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
        this.handlerNames = [...options.handlers.keys()];
    }
    /**
     * Says hello, starts heartbeats and serves frames until the channel closes
     * or a shutdown drains. `early` holds what arrived while the module loaded.
     */
    start(early = []) {
        const { channel } = this.options;
        for (const chunk of early)
            this.onData(chunk);
        channel.on('data', (chunk) => this.onData(chunk));
        channel.on('end', () => this.onChannelClosed());
        channel.on('close', () => this.onChannelClosed());
        channel.on('error', () => this.onChannelClosed());
        const hello = { version: PROTOCOL_VERSION, pid: process.pid, handlers: this.handlerNames };
        if (this.options.settings?.keepProcessGroup)
            hello.keepProcessGroup = true;
        this.sendJson(FrameKind.Hello, 0, hello);
        this.stopHeartbeat = startHeartbeat(this.options.heartbeatInterval, (beat) => {
            this.sendJson(FrameKind.Heartbeat, 0, beat);
            this.writer.flush();
        });
    }
    onData(chunk) {
        try {
            this.decoder.push(chunk, this.onFrameBound);
        }
        catch (error) {
            process.stderr.write(`supervise worker ${process.pid}: invalid data from the supervisor, exiting: ${error.message}\n`);
            this.options.exit(WorkerExit.ProtocolError);
        }
    }
    onFrame(frame) {
        switch (frame.kind) {
            case FrameKind.Job:
                return this.runJob(frame);
            case FrameKind.Chunk: {
                const ctx = this.inFlight.get(frame.id);
                // the job already ended: its input is of no use
                if (!ctx)
                    return;
                if (!ctx.inputQueue)
                    throw new ProtocolError(`Input for job ${frame.id}, which was given none`, 'ERR_PROTOCOL_UNEXPECTED');
                ctx.inputQueue.push(decodeValue(frame.enc, frame.payload));
                return;
            }
            case FrameKind.InputEnd: {
                const ctx = this.inFlight.get(frame.id);
                if (!ctx?.inputQueue)
                    return;
                ctx.inputQueue.end(frame.payload.length > 0 ? deserializeError(parseJson(frame.payload, 'input error')) : undefined);
                return;
            }
            case FrameKind.Credit: {
                const ctx = this.inFlight.get(frame.id);
                if (!ctx)
                    return; // the stream ended meanwhile
                const count = readCredit(frame.payload);
                ctx.credits += count;
                ctx.unread.taken(count);
                if (ctx.credits > STREAM_WINDOW)
                    throw new ProtocolError(`Credit overflow: ${ctx.credits} chunks allowed, the window is ${STREAM_WINDOW}`, 'ERR_PROTOCOL_CREDIT');
                ctx.onCredit?.();
                return;
            }
            case FrameKind.Cancel: {
                const ctx = this.inFlight.get(frame.id);
                if (ctx)
                    ctx.abort(new AbortError('The job was cancelled'));
                return;
            }
            case FrameKind.Shutdown:
                this.life.to('draining');
                return this.maybeExit();
            default:
                throw new Error(`unexpected ${frame.kind} frame from the supervisor`);
        }
    }
    runJob(frame) {
        const { id } = frame;
        const { name, attempt, flags, meta, value } = parseJobPayload(frame.payload);
        const handler = this.options.handlers.get(name);
        if (!handler) {
            this.sendError(id, new UnknownHandlerError(name, this.handlerNames));
            return;
        }
        const payload = decodeValue(frame.enc, value);
        const ctx = new Context(id, attempt, meta, this.options.log, this.progressOutbox);
        if (flags & JOB_HAS_INPUT)
            ctx.inputQueue = new InputQueue(() => this.sendCredit(id, 1));
        this.inFlight.set(id, ctx);
        let result;
        try {
            result = handler(payload, ctx);
        }
        catch (error) {
            return this.finish(id, false, error);
        }
        if (isAsyncIterator(result)) {
            this.pumpStream(ctx, result).then((value) => this.finish(id, true, value), (error) => this.finish(id, false, error));
        }
        else if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
            try {
                result.then((value) => this.finish(id, true, value), (error) => this.finish(id, false, error));
            }
            catch (error) {
                // a thenable whose then() throws: that is the job's error
                this.finish(id, false, error);
            }
        }
        else {
            this.finish(id, true, result);
        }
    }
    /**
     * Sends a generator handler's chunks as the caller's credit allows, and
     * returns its return value. A cancel stops the generator (return()).
     */
    async pumpStream(ctx, iterator) {
        for (;;) {
            while ((ctx.credits === 0 || ctx.unread.full) && !ctx.aborted)
                await new Promise((resolve) => (ctx.onCredit = resolve));
            ctx.onCredit = undefined;
            if (ctx.aborted) {
                await iterator.return?.();
                throw ctx.signal.reason;
            }
            const step = await iterator.next();
            if (step.done)
                return step.value;
            if (!this.inFlight.has(ctx.jobId)) {
                await iterator.return?.();
                return undefined;
            }
            const encoded = encodeWireValue(step.value);
            checkFrameSize(encoded.data, 0, this.options.maxFrameSize, 'chunk');
            // progress reported so far goes out before the chunk
            if (ctx.pendingProgress)
                this.sendProgress(ctx);
            ctx.credits--;
            ctx.unread.sent(chunkBytes(encoded.data));
            this.writer.send(FrameKind.Chunk, encoded.enc, ctx.jobId, encoded.data);
        }
    }
    finish(id, ok, value) {
        const ctx = this.inFlight.get(id);
        if (!ctx)
            return;
        this.inFlight.delete(id);
        // the last progress value goes out before the result
        if (ctx.pendingProgress)
            this.sendProgress(ctx);
        if (ok) {
            try {
                const encoded = encodeWireValue(value);
                checkFrameSize(encoded.data, 0, this.options.maxFrameSize, 'result');
                this.writer.send(FrameKind.Result, encoded.enc, id, encoded.data);
            }
            catch (error) {
                this.sendError(id, error);
            }
        }
        else {
            this.sendError(id, value);
        }
        if (this.life.state === 'draining')
            this.maybeExit();
    }
    sendCredit(id, count) {
        this.writer.send(FrameKind.Credit, 0, id, creditPayload(count));
    }
    /** Sends every job's latest progress value; runs once per turn of the event loop while updates are pending. */
    flushProgress() {
        this.progressScheduled = false;
        for (const ctx of this.progressQueue)
            if (ctx.pendingProgress)
                this.sendProgress(ctx);
        this.progressQueue.clear();
    }
    sendProgress(ctx) {
        const { value } = ctx.pendingProgress;
        ctx.pendingProgress = undefined;
        try {
            const update = encodeWireValue(value);
            checkFrameSize(update.data, 0, this.options.maxFrameSize, 'progress');
            this.writer.send(FrameKind.Progress, update.enc, ctx.jobId, update.data);
        }
        catch (error) {
            process.stderr.write(`supervise worker ${process.pid}: job ${ctx.jobId}: progress not sent: ${error.message}\n`);
        }
    }
    sendError(id, error) {
        let text;
        try {
            text = JSON.stringify(serializeError(error));
            checkFrameSize(text, 0, this.options.maxFrameSize, 'error');
        }
        catch (failure) {
            // the job still gets exactly one answer, even when its error cannot be carried as it is
            text = JSON.stringify(serializeError(new Error(`The handler failed, and its error could not be sent: ${failure?.message}`)));
        }
        this.writer.send(FrameKind.Error, Enc.Json, id, text);
    }
    sendJson(kind, id, value) {
        this.writer.send(kind, Enc.Json, id, JSON.stringify(value));
    }
    maybeExit() {
        if (this.life.state !== 'draining' || this.inFlight.size > 0)
            return;
        if (this.options.beforeExit && !this.beforeExitDone) {
            if (this.beforeExitStarted)
                return;
            this.beforeExitStarted = true;
            const proceed = () => {
                this.beforeExitDone = true;
                this.maybeExit();
            };
            this.options.beforeExit().then(proceed, proceed);
            return;
        }
        this.life.to('exiting');
        this.stopHeartbeat();
        this.writer.flush();
        this.options.channel.end(() => this.options.exit(0));
    }
    onChannelClosed() {
        if (!this.life.to('exiting'))
            return;
        // The supervisor is gone (or closed our channel): nobody can receive results, so stop now,
        // and take along whatever the handlers started (the worker leads its own process group).
        this.stopHeartbeat();
        this.writer.close();
        if (!this.options.settings?.keepProcessGroup) {
            try {
                process.kill(-process.pid, 'SIGKILL');
            }
            catch {
                // not a group leader (started by hand, in tests): just exit
            }
        }
        this.options.exit(0);
    }
}
/** An async generator (or any async iterator) returned by a handler: its values are streamed as chunks. */
function isAsyncIterator(value) {
    return (value !== null &&
        typeof value === 'object' &&
        typeof value[Symbol.asyncIterator] === 'function' &&
        typeof value.next === 'function');
}
//# sourceMappingURL=runtime.js.map