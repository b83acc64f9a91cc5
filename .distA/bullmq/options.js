/*
 * The options of createQueueWorker(), validated and split once, here: the
 * supervisor's own options go to createSupervisor (which validates them), the
 * connection is normalised, and `bullmq` goes to BullMQ's Worker minus the
 * settings this module owns (concurrency, autorun, connection).
 */
import { invalid } from '../supervisor/options.js';
const OWNED_BULLMQ_KEYS = ['concurrency', 'autorun', 'connection'];
/** `redis://user:pass@host:6379/2` → ioredis options; the only place that reads Redis URLs. */
export function parseRedisUrl(text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        invalid('connection', 'a redis:// URL or { host, port }', text);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
        invalid('connection', 'a redis:// or rediss:// URL', text);
    const options = { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: url.port ? Number(url.port) : 6379 };
    if (url.username)
        options.username = decodeURIComponent(url.username);
    if (url.password)
        options.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, '');
    if (db !== '') {
        if (!/^\d+$/.test(db))
            invalid('connection', 'a redis:// URL whose path is a database number', text);
        options.db = Number(db);
    }
    if (url.protocol === 'rediss:')
        options.tls = {};
    return options;
}
function connectionOptions(value) {
    if (value === undefined)
        return { host: '127.0.0.1', port: 6379 };
    if (typeof value === 'string')
        return parseRedisUrl(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        invalid('connection', 'a redis:// URL or { host, port }', value);
    const { port, host } = value;
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535))
        invalid('connection.port', 'an integer from 1 to 65535', port);
    if (host !== undefined && (typeof host !== 'string' || host === ''))
        invalid('connection.host', 'a host name', host);
    return { ...value };
}
/** Validates createQueueWorker's arguments and splits them by who takes them. */
export function resolveQueueOptions(queue, options) {
    if (typeof queue !== 'string' || queue === '' || queue.includes(':'))
        invalid('queue', 'a non-empty queue name without `:`', queue);
    if (options === null || typeof options !== 'object')
        invalid('options', 'an object', options);
    const { connection, bullmq = {}, ...supervisor } = options;
    if (bullmq === null || typeof bullmq !== 'object' || Array.isArray(bullmq))
        invalid('bullmq', 'an object of BullMQ Worker options', bullmq);
    for (const key of OWNED_BULLMQ_KEYS) {
        if (key in bullmq)
            invalid(`bullmq.${key}`, `left out: supervise/bullmq sets it (${key === 'concurrency' ? 'it follows the pool: workers × perWorker' : key === 'autorun' ? 'the worker starts once the pool is ready' : 'use the `connection` option'})`, bullmq[key]);
    }
    const prefix = bullmq.prefix ?? 'bull';
    if (typeof prefix !== 'string' || prefix === '')
        invalid('bullmq.prefix', 'a non-empty string', prefix);
    if (supervisor.retries !== undefined && supervisor.retries !== 0) {
        invalid('retries', '0 or left out: BullMQ retries queue jobs (set `attempts` and `backoff` when adding them)', supervisor.retries);
    }
    return { queue, connection: connectionOptions(connection), bullmq: { ...bullmq }, supervisor: { ...supervisor, retries: 0 }, prefix };
}
//# sourceMappingURL=options.js.map