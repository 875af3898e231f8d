/** Access-matrix rows for the readings routes (see kit.ts). */
import type { Rows } from './kit.js';

export const readingsRows: Rows = {};
