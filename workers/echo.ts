// The echo worker: returns its payload unchanged. Bytes stay bytes.
import type { JobContext } from 'supervise/worker';

export default function echo<T>(payload: T, _ctx: JobContext): T {
  return payload;
}
