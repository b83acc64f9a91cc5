// RAW baseline child: plain `node` reading length-prefixed frames from fd 3 (the
// socketpair child_process.spawn made for stdio[3] = 'pipe') and writing each
// one back. No supervise code, no job machinery.
//
//   node raw-echo.js            echo the bytes as they are (throughput baseline)
//   node raw-echo.js <module>   load <module> (a file URL; .ts through tsx, as
//                               supervise does) and echo what its default export
//                               returns for the bytes: "bare node running a
//                               minimal runtime + the module", for the memory case
import { Socket } from 'node:net';
import { LengthPrefixDecoder, header } from '../lib/lp.js';

let handler;
const moduleUrl = process.argv[2];
if (moduleUrl) {
  if (/\.(?:c|m)?tsx?$/.test(new URL(moduleUrl).pathname)) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  handler = (await import(moduleUrl)).default;
}

const sock = new Socket({ fd: 3, readable: true, writable: true });
const decoder = new LengthPrefixDecoder((payload) => {
  const out = handler ? handler(payload) : payload;
  sock.write(header(out.byteLength));
  sock.write(out);
});
sock.on('data', (chunk) => {
  // every frame that arrived in this chunk goes back in one writev
  sock.cork();
  decoder.push(chunk);
  sock.uncork();
});
sock.on('end', () => process.exit(0));
sock.on('error', () => process.exit(0));
