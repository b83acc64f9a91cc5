// child_process.fork() IPC echo: every message goes straight back.
process.on('message', (message) => process.send(message));
