/** Access-matrix rows for the analytics routes (see kit.ts). */
import type { Rows } from './kit.js';

export const analyticsRows: Rows = {};
