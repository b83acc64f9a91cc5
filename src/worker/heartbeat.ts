// Periodic liveness report: a worker whose event loop is blocked stops sending these, and is killed.
import type { HeartbeatMessage } from '../protocol/index.js';

/** How often the event loop's delay is sampled, ms. */
const SAMPLE_MS = 20;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Calls `send` every `interval` ms with RSS and the mean event-loop delay since the last beat; returns a stop
 * function. The delay is how late a short timer fires, sampled every 20 ms: what perf_hooks'
 * monitorEventLoopDelay measures, without loading perf_hooks, which costs every worker about 0.8 MiB.
 */
export function startHeartbeat(interval: number, send: (beat: HeartbeatMessage) => void): () => void {
  if (interval <= 0) return () => {};
  let late = 0;
  let samples = 0;
  let due = nowMs() + SAMPLE_MS;
  const sampler = setInterval(() => {
    const now = nowMs();
    late += Math.max(0, now - due);
    samples++;
    due = now + SAMPLE_MS;
  }, SAMPLE_MS);
  sampler.unref();
  let rss = 0;
  const beat = () => {
    const loopDelay = samples === 0 ? 0 : late / samples;
    late = 0;
    samples = 0;
    try {
      rss = process.memoryUsage.rss();
    } catch {
      // reading RSS needs a file descriptor (/proc/self/stat); with the fd table full, the last value stands and the beat still goes
    }
    send({ rss, loopDelay });
  };
  beat();
  const timer = setInterval(beat, interval);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearInterval(sampler);
  };
}
