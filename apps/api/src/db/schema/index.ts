export * from './audit.js';
export * from './consultations.js';
export * from './identity.js';
export * from './people.js';
export * from './readings.js';
