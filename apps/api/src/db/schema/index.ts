export * from './audit.js';
export * from './people.js';
export * from './readings.js';
