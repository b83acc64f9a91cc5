import { getSystemErrorName } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ChildProcess } from 'node:child_process';
import { guardGroup } from './watchdog.js';
/** The compiled worker entry; spawned as plain JavaScript. */
export const WORKER_ENTRY = fileURLToPath(new URL('../worker/main.js', import.meta.url));
/** Spawns `node <worker entry> <config>` with fd 3 as the job channel. */
export function spawnWorker(config, settings) {
    const subprocess = withSpawnFailure(() => execa(process.execPath, [...settings.execArgv, WORKER_ENTRY, JSON.stringify(config)], {
        // serve mode adds Node's IPC channel at fd 4 (NODE_CHANNEL_FD); an 'ipc' stdio entry rather than execa's
        // `ipc` option, so that execa does not consume the channel's messages itself
        stdio: settings.ipc ? ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe', 'pipe'],
        serialization: 'json',
        // execa must not collect the channel or the worker's output: they are streamed
        buffer: false,
        reject: false,
        // each worker in its own process group: a Ctrl-C at the terminal (or a signal to the supervisor's group)
        // reaches only the supervisor, which drains and stops its workers itself. Workers still never outlive it:
        // they exit when their channel closes, which the kernel does when the supervisor dies, and the watchdog
        // kills the group of any whose event loop is too busy to notice.
        detached: true,
        cleanup: true,
        cwd: settings.cwd,
        env: settings.env,
        extendEnv: true,
    }));
    // The result promise only settles when the process ends; exits are handled through events.
    subprocess.catch(() => { });
    const channel = subprocess.stdio?.[3];
    if (!channel || !subprocess.stdout || !subprocess.stderr) {
        throw Object.assign(new Error('the worker process was spawned without its channel'), { code: 'ERR_SPAWN' });
    }
    if (subprocess.pid !== undefined)
        guardGroup(subprocess.pid);
    return {
        process: subprocess,
        channel: channel,
        stdout: subprocess.stdout,
        stderr: subprocess.stderr,
    };
}
/**
 * Runs `start` (which spawns one child through execa) and turns a spawn that
 * Node could not even set up into a plain error with its errno code. When the
 * fd table is full (EMFILE, ENFILE), Node returns a child without stdio and
 * reports the errno only as an 'error' event on the next tick; execa then
 * throws `TypeError: subprocess.stdio is not iterable` and drops that child,
 * whose 'error' event, with no listener, would be an uncaught exception in the
 * host. So the child is caught as it is created (ChildProcess#spawn, wrapped
 * only for this synchronous call), its error is listened to, and the thrown
 * error says EMFILE, which the exit policy retries with backoff.
 */
function withSpawnFailure(start) {
    const proto = ChildProcess.prototype;
    const spawnChild = proto.spawn;
    if (typeof spawnChild !== 'function')
        return start();
    let child;
    let errno = 0;
    proto.spawn = function (options) {
        child = this;
        const result = spawnChild.call(this, options);
        errno = typeof result === 'number' ? result : 0;
        return result;
    };
    try {
        return start();
    }
    catch (error) {
        if (!child || child.stdio || errno >= 0)
            throw error;
        child.once('error', () => { });
        const code = getSystemErrorName(errno);
        throw Object.assign(new Error(`spawn ${process.execPath} ${code}`, { cause: error }), { code, errno, syscall: 'spawn' });
    }
    finally {
        proto.spawn = spawnChild;
    }
}
//# sourceMappingURL=spawn.js.map