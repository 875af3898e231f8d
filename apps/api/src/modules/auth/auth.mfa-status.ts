/**
 * "Has this staff member enrolled in MFA?" for the REQUIRE_STAFF_MFA check of the auth plugin
 * (app.ts hands it over). Only positive answers are cached (enrollment takes effect on the next
 * request; staff cannot disable MFA while the policy is on, so a cached "yes" does not go stale in
 * practice).
 */
import type { Database } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { staffMfaEnabledAt } from './auth.mfa.repository.js';

const MAX_ENTRIES = 10_000;

export class StaffMfaStatus {
  private readonly yes = new Map<number, number>();
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async enrolled(staffId: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if ((this.yes.get(staffId) ?? 0) > now) return true;
    if (!(await staffMfaEnabledAt(this.db, staffId))) return false;
    if (this.yes.size >= MAX_ENTRIES) this.yes.clear();
    this.yes.set(staffId, now + this.ttlMs);
    return true;
  }
}
