/**
 * The audit screen's filters → the API's query (list and export take the same filters), and the
 * clinic-time conversion of the date range: a `datetime-local` input has no zone, and the clinic
 * reads its own clock (locale/time.ts), so "from 08:00" means 08:00 in the clinic's timezone.
 */
import type { paths } from '@diabetify/contracts/openapi';
import { clinicTimezone } from '../../locale/time';
import { offsetMs } from '../../patients/show/window';

export type AuditListQuery = NonNullable<paths['/v1/audit-events']['get']['parameters']['query']>;
export type AuditExportQuery = paths['/v1/audit-events/export']['get']['parameters']['query'];
export type AuditPage = paths['/v1/audit-events']['get']['responses'][200]['content']['application/json'];
export type AuditEvent = AuditPage['data'][number];
export type AuditVerify = paths['/v1/audit-events/verify']['get']['responses'][200]['content']['application/json'];
export type Outcome = NonNullable<AuditListQuery['outcome']>;
export type ActorRole = NonNullable<AuditListQuery['actorRole']>;

export const OUTCOMES: readonly Outcome[] = ['success', 'denied', 'failure', 'error'];
export const ACTOR_ROLES: readonly ActorRole[] = [
  'patient',
  'clinician',
  'assistant',
  'admin',
  'device',
  'system',
  'anonymous',
];
export const PAGE_SIZE = 50;

/** What the filter form holds: text as typed (ids and dates are validated on the way out). */
export interface AuditFilters {
  actorId: string;
  actorRole: string;
  patientId: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  actorId: '',
  actorRole: '',
  patientId: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

/** `2026-12-06T08:00` read on the clinic's clock → ISO instant; '' or garbage → undefined. */
export function clinicLocalToIso(value: string, timeZone = clinicTimezone()): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the offset across a DST change between the guess and the answer.
  let instant = asUtc - offsetMs(asUtc, timeZone);
  instant = asUtc - offsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

function positiveInt(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The filters the API understands (shared by the list and the export). */
export function toApiFilters(f: AuditFilters, timeZone = clinicTimezone()): Omit<AuditListQuery, 'cursor' | 'limit'> {
  const out: Omit<AuditListQuery, 'cursor' | 'limit'> = {};
  const actorId = positiveInt(f.actorId);
  if (actorId !== undefined) out.actorId = actorId;
  const patientId = positiveInt(f.patientId);
  if (patientId !== undefined) out.patientId = patientId;
  if ((ACTOR_ROLES as readonly string[]).includes(f.actorRole)) out.actorRole = f.actorRole as ActorRole;
  if ((OUTCOMES as readonly string[]).includes(f.outcome)) out.outcome = f.outcome as Outcome;
  if (f.action.trim() !== '') out.action = f.action.trim();
  const from = clinicLocalToIso(f.from, timeZone);
  if (from) out.from = from;
  const to = clinicLocalToIso(f.to, timeZone);
  if (to) out.to = to;
  return out;
}

/** Field → translation key for inputs the API would refuse, checked before any request. */
export function filterErrors(f: AuditFilters): Partial<Record<keyof AuditFilters, string>> {
  const errors: Partial<Record<keyof AuditFilters, string>> = {};
  if (f.actorId.trim() !== '' && positiveInt(f.actorId) === undefined) errors.actorId = 'dfy.validation.format';
  if (f.patientId.trim() !== '' && positiveInt(f.patientId) === undefined) errors.patientId = 'dfy.validation.format';
  if (f.from && f.to && f.from > f.to) errors.to = 'dfy.validation.range';
  return errors;
}
