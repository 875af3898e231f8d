/**
 * The audit vocabulary shared by every floor: who acted (actor), from where (origin), what was
 * recorded (entry), and the one method callers need (`record` inside their transaction). The
 * audit module implements it (modules/audit/audit.service.ts); plugins and other modules depend on
 * this interface, so no plugin imports a module.
 */
import type { Executor } from '../db/client.js';

export type ActorRole = 'patient' | 'clinician' | 'assistant' | 'admin' | 'device' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'denied' | 'failure' | 'error';

export interface AuditActor {
  id: number | null;
  role: ActorRole;
}

/** Where a request came from; built once per request from the principal (plugins/auth.request.ts). */
export interface AuditOrigin {
  actor: AuditActor;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEntry extends AuditOrigin {
  /** `resource.verb`, e.g. `readings.read`, `auth.login`. */
  action: string;
  resourceType: string;
  resourceId?: string | number | null;
  patientId?: number | null;
  outcome: AuditOutcome;
  /** Ids, counts and field *names* only — never PHI values. */
  details?: Record<string, unknown>;
}

/** Writes one audit row in `executor` (the caller's transaction, or the pool for a refusal). */
export interface AuditRecorder {
  record(executor: Executor, entry: AuditEntry): Promise<unknown>;
}

/** The audit entry of a successful action on one patient's record (the record is the resource). */
export function patientRecordEntry(
  origin: AuditOrigin,
  action: string,
  patientId: number,
  details: Record<string, unknown>,
): AuditEntry {
  return { ...origin, action, resourceType: 'patient', resourceId: patientId, patientId, outcome: 'success', details };
}
