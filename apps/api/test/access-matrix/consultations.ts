/** Access-matrix rows for the consultations routes (see kit.ts). */
import type { Rows } from './kit.js';

export const consultationsRows: Rows = {};
