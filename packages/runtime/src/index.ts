export * from './container-runtime.js';
export * from './runtime-errors.js';
export * from './docker-runtime.js';
export * from './docker-create-options.js';
export * from './docker-endpoint.js';
export * from './log-lines.js';
