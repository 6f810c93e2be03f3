export * from './config.js';
export * from './desired.js';
export * from './tasks.js';
export * from './unit-state.js';

export * from './agent.js';
export * from './fleetd.js';
export { main } from './main.js';
export * from './fence.js';
