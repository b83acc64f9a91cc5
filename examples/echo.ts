// Runs the echo worker on two processes and sends it two greetings, a JSON object and some bytes.
import { defineRun } from 'supervise';

export default defineRun({
  worker: '../workers/echo.ts',
  workers: 2,
  jobs: ['Hello, world!', 'My name is Tom!', { user: 'tom', tags: ['uds', 'socketpair'], id: 42 }, new Uint8Array([0x00, 0x01, 0xfe, 0xff])],
});
