export * from './errors.js';
export * from './logger.js';
export * from './clock.js';
export * from './model.js';
export * from './unit/unit-file.js';
export * from './container/container-spec.js';
