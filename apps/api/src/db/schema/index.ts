export * from './audit.js';
export * from './identity.js';
export * from './people.js';
export * from './readings.js';
