/** Access-matrix rows for the exports routes (see kit.ts). */
import type { Rows } from './kit.js';

export const exportsRows: Rows = {};
