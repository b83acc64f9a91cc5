// Runs the echo worker on two processes and sends it two greetings, a JSON object and some bytes, printed as the
// classic Unix-socket echo demo does: what was sent, what came back, and which worker answered.
import { inspect } from 'node:util';
import { defineRun } from 'supervise';

const show = (value: unknown) => inspect(value, { breakLength: Infinity });

export default defineRun({
  worker: '../workers/echo.ts',
  workers: 2,
  jobs: ['Hello, world!', 'My name is Tom!', { user: 'tom', tags: ['uds', 'socketpair'], id: 42 }, new Uint8Array([0x00, 0x01, 0xfe, 0xff])],
  format: (outcome) =>
    outcome.ok
      ? `Send: ${show(outcome.payload)}\nEcho: ${show(outcome.result)}  (worker pid ${outcome.pid})`
      : `Send: ${show(outcome.payload)}\nFail: ${String(outcome.error)}`,
});
