export * from './config.js';
export * from './desired.js';
export * from './tasks.js';
export * from './unit-state.js';

