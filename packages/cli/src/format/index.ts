export * from './tabwriter.js';
export * from './machine-legend.js';
export * from './hash-legend.js';
export * from './listing.js';
export * from './list-units.js';
export * from './list-unit-files.js';
export * from './list-machines.js';
export * from './unit-description.js';
