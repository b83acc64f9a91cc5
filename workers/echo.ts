// The echo worker: returns its payload unchanged. Bytes stay bytes.
import type { Socket } from 'node:net';
import type { ConnectionContext, JobContext } from 'supervise/worker';

export default function echo<T>(payload: T, _ctx: JobContext): T {
  return payload;
}

/** `supervise serve`: echoes every byte the client sends back to it, until it hangs up. */
export function connection(socket: Socket, _ctx: ConnectionContext): void {
  socket.pipe(socket);
}
