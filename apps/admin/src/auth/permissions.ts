/**
 * What each staff role may see and do in the back-office (product.md "Who uses it"). The server
 * enforces all of this; the UI mirrors it so nobody meets buttons that can only fail, and so an
 * assistant is never shown glucose values (product.md: no readings values beyond the queue's needs).
 */
export const STAFF_ROLES = ['clinician', 'assistant', 'admin'] as const;
export type Role = (typeof STAFF_ROLES)[number];

/** resource → action → roles allowed. `*` is any action not listed. */
const MATRIX: Record<string, Record<string, readonly Role[]>> = {
  patients: {
    list: STAFF_ROLES,
    show: STAFF_ROLES,
    edit: STAFF_ROLES,
    create: STAFF_ROLES,
    export: STAFF_ROLES,
    block: ['assistant', 'admin'],
    '*': STAFF_ROLES,
  },
  // Glucose values, statistics, charts and reports: clinicians (and admins where the API allows).
  glucose: { '*': ['clinician', 'admin'] },
  readings: { '*': ['clinician', 'admin'] },
  triage: { '*': ['clinician'] },
  staff: { '*': ['admin'] },
  audit: { '*': ['admin'] },
  account: { '*': STAFF_ROLES },
};

export function canAccess(roles: readonly string[], resource: string, action = 'list'): boolean {
  const rules = MATRIX[resource];
  // Unknown resources: allowed to any staff member; the API answers 403 where it must.
  if (!rules) return roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));
  const allowed = rules[action] ?? rules['*'] ?? [];
  return roles.some((r) => (allowed as readonly string[]).includes(r));
}

/** True when the roles include any of `wanted`. */
export function hasRole(roles: readonly string[] | undefined, ...wanted: Role[]): boolean {
  return (roles ?? []).some((r) => (wanted as string[]).includes(r));
}
