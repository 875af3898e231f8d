/** Access-matrix rows for the exports routes (see kit.ts). */
import type { Rows } from './kit.js';

export const exportsRows: Rows = {
  // Patient A's own export: A, clinicians and admins; B is told it does not exist; the front desk
  // sees no reading values (product.md), so assistants are refused; device keys are not accepted.
  'GET /v1/patients/:id/readings/export': {
    url: (w) => `/v1/patients/${w.patientA}/readings/export?format=csv`,
    expect: { anonymous: 401, patientA: 200, patientB: 404, deviceA: 401, assistant: 403, clinician: 200, admin: 200 },
  },
};
