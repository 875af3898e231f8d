/** Moved to lib/local-time.ts; kept so in-flight imports keep compiling (remove once none remain). */
export * from '../../lib/local-time.js';
