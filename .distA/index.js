// `supervise`: the supervisor API for apps that embed it.
export { createSupervisor, Supervisor } from './supervisor/supervisor.js';
export { defineRun, isRunDefinition } from './define-run.js';
export * from './errors.js';
export { PROTOCOL_VERSION } from './protocol/frame.js';
export { serve, SocketServer, } from './serve/server.js';
export { SocketPathError } from './serve/socket-path.js';
//# sourceMappingURL=index.js.map