// A one-line progress display on a TTY stderr: done/total (or done), rate, failures.
export function startProgress(stream, total) {
    if (!stream.isTTY)
        return { tick() { }, stop() { } };
    const started = Date.now();
    let done = 0;
    let failed = 0;
    let shown = false;
    const render = () => {
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? Math.round(done / seconds) : 0;
        const count = total === undefined ? `${done} done` : `${done}/${total} done`;
        stream.write(`\r\x1b[2K${count} · ${rate}/s · ${failed} failed`);
        shown = true;
    };
    const timer = setInterval(render, 250);
    timer.unref();
    return {
        tick(ok) {
            done++;
            if (!ok)
                failed++;
        },
        stop() {
            clearInterval(timer);
            if (shown)
                stream.write('\r\x1b[2K');
        },
    };
}
//# sourceMappingURL=progress.js.map