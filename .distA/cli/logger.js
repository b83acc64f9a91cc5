// The CLI's logger: human-readable lines on a TTY, pino JSON otherwise; always on stderr.
// Both write asynchronously into a bounded buffer (see boundedDestination): a stalled terminal (Ctrl-S, a
// dropped ssh connection) or a stalled pipe reader never blocks the supervisor, whose heartbeat checks
// would then kill healthy workers; records past the bound are dropped and counted.
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { boundedDestination } from '../supervisor/log-destination.js';
export function createCliLogger(level) {
    if (process.stderr.isTTY) {
        // prettified record by record on the way into the buffer, so the buffer's bound holds (a pino-pretty
        // stream would queue records in its own stream buffers while the terminal does not read)
        const format = prettyFactory({ colorize: true, ignore: 'hostname' });
        return pino({ level, base: undefined }, boundedDestination({ fd: 2, format }));
    }
    return pino({ level, base: { name: 'supervise' } }, boundedDestination({ fd: 2, base: { name: 'supervise' } }));
}
//# sourceMappingURL=logger.js.map