// The supervise echo handler as a plain .js module (workers/echo.ts is the TypeScript one).
export default function echo(payload) {
  return payload;
}
