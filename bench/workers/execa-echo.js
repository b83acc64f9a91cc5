// execa@9 IPC echo (started with `ipc: true`): every message goes straight back.
import { getEachMessage, sendMessage } from 'execa';

for await (const message of getEachMessage()) {
  // not awaited: the next message is read while this one is being sent
  sendMessage(message).catch(() => {});
}
