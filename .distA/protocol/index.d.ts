export * from './frame.js';
export * from './payload.js';
export * from './decoder.js';
export * from './writer.js';
export * from './messages.js';
export * from './error-codec.js';
export * from './serve.js';
