/** Access-matrix rows for the analytics routes (see kit.ts). */
import { ownOrStaff, type Rows, row } from './kit.js';

export const analyticsRows: Rows = {
  // Patient A's statistics and AGP: A, clinicians and admins; the front desk 403; B is told they do not exist.
  'GET /v1/patients/:id/stats': {
    url: (w) => `/v1/patients/${w.patientA}/stats`,
    expect: { ...ownOrStaff(200), assistant: 403 },
  },
  'GET /v1/patients/:id/agp': {
    url: (w) => `/v1/patients/${w.patientA}/agp`,
    expect: { ...ownOrStaff(200), assistant: 403 },
  },
  // The triage list is the clinicians' work list (api.md): other staff 403, app tokens 401.
  'GET /v1/triage': { url: () => '/v1/triage?perPage=5', expect: row(401, 401, 401, 403, 200, 403) },
};
