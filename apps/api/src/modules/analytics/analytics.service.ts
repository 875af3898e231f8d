/**
 * Glucose analytics use cases. `computeStats` / `computeAgp` are unaudited building blocks (the PDF
 * report reuses them); `stats` / `agp` / `triage` are the audited, authorized route-facing reads.
 * Every read of a patient's analytics is audited, refused attempts included (LG-3); audit details
 * carry ids and counts only.
 */

import type { Database } from '../../db/client.js';
import { patientRecordEntry } from '../../lib/audit.js';
import { type Actor, canReadPatient } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import { isValidTimezone } from '../../lib/local-time.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import type { Band } from '../readings/readings.summaries.js';
import { agpOf, windowStats } from './analytics.assemble.js';
import { InvalidWindowError } from './analytics.errors.js';
import {
  BANDS,
  cv,
  localDays,
  meanSdFromSums,
  percents,
  previousWindow,
  type ResolvedWindow,
  resolveWindow,
  roundOrNull,
  triageFlags,
  WindowError,
} from './analytics.formulas.js';
import * as repo from './analytics.repository.js';
import {
  type Agp,
  type Stats,
  TRIAGE_TIERS,
  type TriagePage,
  type TriageQuery,
  type WindowQuery,
  type WindowStats,
} from './analytics.schema.js';
import * as triageRepo from './analytics.triage.repository.js';

export interface AnalyticsDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
}

/** Window options of the compute methods; anything left out takes the patient's default. */
export interface ComputeOptions {
  from?: Date | string | undefined;
  to?: Date | string | undefined;
  timezone?: string | undefined;
}

export const TRIAGE_WINDOW_DAYS = 14;
export const TRIAGE_RANKING =
  'Tiers, in order: 1 hypoglycemia (time <54 > 1 % or <70 > 4 %), 2 no recent data (no reading for 7 days or never), ' +
  '3 above targets (TIR < 70 %, >180 > 25 %, >250 > 5 % or CV > 36 %), 4 on target. Within a tier: hypoglycemia by ' +
  '% <54 then % <70, no data by days since the last reading; then by GRI, descending. Percentages count readings ' +
  'of the last 14 local days (day summaries), not CGM time.';

export class AnalyticsService {
  constructor(private readonly d: AnalyticsDeps) {}

  private async profile(patientId: number): Promise<repo.PatientProfile> {
    const profile = await repo.findProfile(this.d.db, patientId);
    if (!profile) throw new NotFoundError('patient');
    return profile;
  }

  private window(profile: repo.PatientProfile, opts: ComputeOptions): ResolvedWindow {
    const timezone = opts.timezone ?? profile.timezone;
    if (opts.timezone !== undefined && !isValidTimezone(opts.timezone)) {
      throw new InvalidWindowError('tz', 'is not a known IANA time zone');
    }
    try {
      return resolveWindow(opts, timezone, this.d.clock.now());
    } catch (err) {
      if (err instanceof WindowError) throw new InvalidWindowError(err.field, err.message);
      throw err;
    }
  }

  /** Statistics of one window plus `previous` (unaudited; callers check access and audit). */
  async computeStats(patientId: number, opts: ComputeOptions = {}): Promise<Stats> {
    const profile = await this.profile(patientId);
    return this.statsFor(profile, this.window(profile, opts));
  }

  private async statsFor(profile: repo.PatientProfile, w: ResolvedWindow): Promise<Stats> {
    // On PostgreSQL the two windows run on two pool connections at once.
    const [current, previous] = await Promise.all([
      this.windowStats(profile, w),
      this.windowStats(profile, previousWindow(w)),
    ]);
    return { ...current, previous };
  }

  private async windowStats(profile: repo.PatientProfile, w: ResolvedWindow): Promise<WindowStats> {
    const args = { patientId: profile.id, ...w, targetLow: profile.targetLowMgDl, targetHigh: profile.targetHighMgDl };
    return windowStats(profile, w, await repo.windowAggregates(this.d.db, args));
  }

  /** AGP percentile profile, 96 bins of local wall-clock time (unaudited). */
  async computeAgp(patientId: number, opts: ComputeOptions = {}): Promise<Agp> {
    const profile = await this.profile(patientId);
    return this.agpFor(profile, this.window(profile, opts));
  }

  private async agpFor(profile: repo.PatientProfile, w: ResolvedWindow): Promise<Agp> {
    return agpOf(profile, w, await repo.agpBins(this.d.db, { patientId: profile.id, ...w }));
  }

  /** Loads the patient and checks the caller may read it; a refusal is audited and is a 404. */
  private async authorize(actor: Actor, origin: AuditOrigin, id: number, action: string) {
    const profile = await repo.findProfile(this.d.db, id);
    if (!canReadPatient(actor, id, profile !== null)) {
      const denied = profile !== null || actor.kind !== 'staff';
      await this.d.audit.record(this.d.db, {
        ...origin,
        action,
        resourceType: 'patient',
        resourceId: id,
        patientId: profile ? id : null,
        outcome: denied ? 'denied' : 'failure',
        details: { reason: profile ? 'not_permitted' : 'not_found' },
      });
      throw new NotFoundError('patient');
    }
    return profile as repo.PatientProfile;
  }

  private async auditRead(origin: AuditOrigin, id: number, action: string, w: ResolvedWindow, tzOverride: boolean) {
    await this.d.audit.record(
      this.d.db,
      patientRecordEntry(origin, action, id, { windowDays: localDays(w), timezoneOverride: tzOverride }),
    );
  }

  async stats(actor: Actor, origin: AuditOrigin, id: number, query: WindowQuery): Promise<Stats> {
    const profile = await this.authorize(actor, origin, id, 'stats.read');
    const w = this.window(profile, { from: query.from, to: query.to, timezone: query.tz });
    const result = await this.statsFor(profile, w);
    await this.auditRead(origin, id, 'stats.read', w, query.tz !== undefined);
    return result;
  }

  async agp(actor: Actor, origin: AuditOrigin, id: number, query: WindowQuery): Promise<Agp> {
    const profile = await this.authorize(actor, origin, id, 'agp.read');
    const w = this.window(profile, { from: query.from, to: query.to, timezone: query.tz });
    const result = await this.agpFor(profile, w);
    await this.auditRead(origin, id, 'agp.read', w, query.tz !== undefined);
    return result;
  }

  /** Patients ranked by need (count-based, from the day summaries); see TRIAGE_RANKING. */
  async triage(origin: AuditOrigin, query: TriageQuery): Promise<TriagePage> {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const rows = await triageRepo.triagePage(
      this.d.db,
      this.d.clock.now(),
      TRIAGE_WINDOW_DAYS,
      perPage,
      (page - 1) * perPage,
    );
    const total = rows[0]?.total ?? (await triageRepo.patientCount(this.d.db));
    const data = rows.map((r, i) => {
      const { mean, sd } = meanSdFromSums(r.valued, r.sum ?? 0, r.sum_sq ?? 0);
      const cvValue = mean !== null && sd !== null ? cv(mean, sd) : null;
      const bands = Object.fromEntries(BANDS.map((b, j) => [b, r.bands[j]])) as Record<Band, number>;
      const percent = percents(bands);
      return {
        rank: (page - 1) * perPage + i + 1,
        patientId: r.id,
        name: r.name,
        surname: r.surname,
        tier: TRIAGE_TIERS[r.tier - 1] ?? 'on_target',
        flags: triageFlags({ bands, cvPercent: cvValue, daysSinceLastReading: r.days_since }),
        count: r.n,
        daysWithData: r.days,
        lastReadingAt: r.last_reading_at ? r.last_reading_at.toISOString() : null,
        daysSinceLastReading: roundOrNull(r.days_since),
        meanMgDl: roundOrNull(mean),
        cvPercent: roundOrNull(cvValue),
        gri: roundOrNull(r.gri),
        percent,
      };
    });
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'triage.read',
      resourceType: 'patient',
      outcome: 'success',
      details: { page, perPage, returned: data.length, total, patientIds: data.map((d) => d.patientId) },
    });
    return {
      data,
      total,
      page,
      perPage,
      windowDays: TRIAGE_WINDOW_DAYS,
      basis: 'count',
      ranking: TRIAGE_RANKING,
    };
  }
}
