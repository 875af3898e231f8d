/**
 * appointments database, part 2: appointments with their resolutions (one transaction per chunk,
 * so an appointment never lands without the resolution it had), then the orphan resolutions.
 * Every appointment needs a queue request: the user's latest appointment is linked to their
 * imported CREATED queue entry; any other gets a synthesised, released request on the history
 * day (README "Appointments and their requests").
 */
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import {
  appointmentResolutions,
  appointments,
  MOTIVES,
  queueRequests,
  queueRequestTransitions,
  staff,
} from '../../db/schema/index.js';
import type { ImportContext } from './context.js';
import type { QueueOutcome } from './queue.js';
import type { TableTally } from './report.js';
import { columnsOf, keysetQuery } from './source.js';
import { bumpSequence } from './users.js';

interface LegacyAppointment {
  id: number;
  user_id: number;
  glucose_objective: number | null;
  insulin_type: string | null;
  dose: number | null;
  fast_insulin: string | null;
  fixed_dose: number | null;
  ratio: number | null;
  sensitivity: number | null;
  pump_type: string | null;
  another_treatment: string | null;
  control_data: string | null;
  motive: string[] | null;
  other_motive: string | null;
}

interface LegacyResolution {
  appointment_id: number;
  change_basal_type: string | null;
  change_basal_dose: number | null;
  change_basal_time: string | null;
  change_fast_type: string | null;
  change_ratio: number | null;
  change_sensitivity: number | null;
  emergency_care: boolean | null;
  needed_physical_appointment: boolean | null;
  glucose_scale: unknown;
}

/** Author of imported resolutions: the old tables do not say who wrote them. Blocked, no credential. */
export const LEGACY_AUTHOR = {
  username: 'legacy-import',
  email: 'legacy-import@diabetify.invalid',
  name: 'Legacy system (imported resolutions)',
};

const APPOINTMENT_SELECT = [
  'appointment_id::int as id, user_id::int as user_id, glucose_objective::float8 as glucose_objective',
  'insulin_type::text as insulin_type, dose::float8 as dose, fast_insulin::text as fast_insulin',
  'fixed_dose::float8 as fixed_dose, ratio::float8 as ratio, sensitivity::float8 as sensitivity',
  'pump_type::text as pump_type, another_treatment::text as another_treatment, control_data::text as control_data',
  'motive::text[] as motive, other_motive::text as other_motive',
].join(', ');

const inRange = (x: number | null, min: number, max: number, minOpen = false) =>
  x !== null && Number.isFinite(x) && (minOpen ? x > min : x >= min) && x <= max;

function valid(a: LegacyAppointment): boolean {
  const motives = a.motive ?? [];
  return (
    inRange(a.glucose_objective, 40, 400) &&
    inRange(a.dose, 0, 300, true) &&
    inRange(a.fixed_dose, 0, 300) &&
    inRange(a.ratio, 0, 150, true) &&
    inRange(a.sensitivity, 0, 500, true) &&
    motives.length >= 1 &&
    motives.length <= 6 &&
    motives.every((m) => (MOTIVES as readonly string[]).includes(m))
  );
}

/** `22:00` or `22:00:00` → `22:00`; anything else → null (reported as an adjustment). */
export function basalTime(raw: string | null): string | null {
  const m = /^\s*(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*$/.exec(raw ?? '');
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h < 24 && min < 60 ? `${String(h).padStart(2, '0')}:${m[2]}` : null;
}

async function legacyAuthor(tx: Executor, ctx: ImportContext): Promise<number> {
  await tx
    .insert(staff)
    .values({ ...LEGACY_AUTHOR, roles: ['clinician'], blocked: true, createdAt: ctx.runAt, updatedAt: ctx.runAt })
    .onConflictDoNothing();
  const [row] = await tx.select({ id: staff.id }).from(staff).where(eq(staff.username, LEGACY_AUTHOR.username));
  if (!row) throw new Error('the legacy author account could not be created (its e-mail is taken)');
  return row.id;
}

export async function importAppointments(
  ctx: ImportContext,
  queue: QueueOutcome,
  tally: TableTally,
  resolutions: TableTally,
): Promise<void> {
  const src = ctx.sources.appointments;
  if ((await columnsOf(src, 'appointments')).size === 0) return;
  const resolutionCols = await columnsOf(src, 'appointment_resolution');
  const hasQueue = (await columnsOf(src, 'appointment_queue')).size > 0;
  // The appointment each CREATED queue entry stands for: its user's latest.
  const latest = new Map<number, number>();
  if (hasQueue) {
    const rows = await src.query<{ user_id: number; id: number }>(
      `select a.user_id::int as user_id, max(a.appointment_id)::int as id from appointments a
       where a.user_id in (select user_id from appointment_queue where appointment_state::text = 'CREATED')
       group by a.user_id`,
    );
    for (const r of rows) latest.set(r.user_id, r.id);
  }
  const resolutionSelect =
    resolutionCols.size === 0
      ? null
      : [
          'appointment_id::int as appointment_id, change_basal_type::text as change_basal_type',
          'change_basal_dose::float8 as change_basal_dose, change_basal_time::text as change_basal_time',
          'change_fast_type::text as change_fast_type, change_ratio::float8 as change_ratio',
          'change_sensitivity::float8 as change_sensitivity, emergency_care::bool as emergency_care',
          'needed_physical_appointment::bool as needed_physical_appointment',
          resolutionCols.has('glucose_scale') ? 'glucose_scale' : 'null as glucose_scale',
        ].join(', ');
  const query = keysetQuery(APPOINTMENT_SELECT, 'appointments', 'appointment_id', ctx.chunkSize);
  let after = -2147483648;
  for (;;) {
    const rows = await src.query<LegacyAppointment>(query, [after]);
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as LegacyAppointment).id;
    const res = resolutionSelect
      ? await src.query<LegacyResolution>(
          `select ${resolutionSelect} from appointment_resolution where appointment_id = any($1::int[])`,
          [rows.map((r) => r.id)],
        )
      : [];
    tally.seen(rows.length);
    resolutions.seen(res.length);
    const byAppointment = new Map(res.map((r) => [r.appointment_id, r]));
    await ctx.target.transaction(async (tx) => {
      for (const a of rows)
        await appointmentRow(tx, ctx, queue, latest, a, byAppointment.get(a.id), tally, resolutions);
      await bumpSequence(tx, 'appointments');
    });
    await ctx.chunkDone('appointments', rows.length);
  }
  if (resolutionCols.size > 0) await orphanResolutions(ctx, resolutions);
}

async function appointmentRow(
  tx: Executor,
  ctx: ImportContext,
  queue: QueueOutcome,
  latest: Map<number, number>,
  a: LegacyAppointment,
  resolution: LegacyResolution | undefined,
  tally: TableTally,
  resolutions: TableTally,
): Promise<void> {
  const skip = (reason: string) => {
    tally.skip(a.id, reason);
    if (resolution) resolutions.skip(a.id, 'appointment_skipped');
  };
  const [present] = await tx.select({ id: appointments.id }).from(appointments).where(eq(appointments.id, a.id));
  if (present) {
    tally.report.present++;
    if (!resolution) return;
    const [r] = await tx
      .select({ id: appointmentResolutions.id })
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, a.id));
    // Imported together, so a missing one means the source changed since: not merged into a live record.
    if (r) resolutions.report.present++;
    else resolutions.skip(a.id, 'appointment_imported_without_it');
    return;
  }
  if (!ctx.userIds.has(a.user_id)) return skip('unknown_user');
  if (ctx.skippedUsers.has(a.user_id)) return skip('user_skipped');
  if (!queue.days) return skip(queue.refused ?? 'no_queue_day');
  if (!valid(a)) return skip('invalid_values');

  let requestId: number | null = null;
  if (latest.get(a.user_id) === a.id) {
    const [linked] = await tx
      .select({ id: queueRequests.id })
      .from(queueRequests)
      .where(
        and(
          eq(queueRequests.patientId, a.user_id),
          eq(queueRequests.queueDay, queue.days.current),
          inArray(queueRequests.state, ['created', 'resolved', 'closed']),
          notExists(tx.select({ x: sql`1` }).from(appointments).where(eq(appointments.requestId, queueRequests.id))),
        ),
      );
    requestId = linked?.id ?? null;
  }
  const motive = a.motive ?? [];
  const otherMotive = a.other_motive?.trim() ? a.other_motive : null;
  if (requestId === null) {
    const state = resolution ? 'resolved' : 'closed';
    const [req] = await tx
      .insert(queueRequests)
      .values({
        patientId: a.user_id,
        state,
        queueDay: queue.days.history,
        placement: a.id,
        motive,
        otherMotive: otherMotive === null ? null : [...otherMotive].slice(0, 200).join(''),
        decidedAt: ctx.runAt,
        releasedAt: ctx.runAt,
        createdAt: ctx.runAt,
        updatedAt: ctx.runAt,
      })
      .returning({ id: queueRequests.id });
    if (!req) throw new Error(`request for appointment ${a.id} was not inserted`);
    requestId = req.id;
    await tx.insert(queueRequestTransitions).values({
      requestId,
      fromState: null,
      toState: state,
      actorRole: 'system',
      reason: `synthesised by the legacy import for appointment ${a.id}`,
      createdAt: ctx.runAt,
      updatedAt: ctx.runAt,
    });
  }
  await tx
    .insert(appointments)
    .overridingSystemValue()
    .values({
      id: a.id,
      requestId,
      patientId: a.user_id,
      glucoseObjectiveMgDl: a.glucose_objective as number,
      insulinType: a.insulin_type ?? '',
      doseUnits: a.dose as number,
      fastInsulin: a.fast_insulin ?? '',
      fixedDoseUnits: a.fixed_dose as number,
      ratioGramsPerUnit: a.ratio as number,
      sensitivityMgDlPerUnit: a.sensitivity as number,
      pumpType: a.pump_type ?? '',
      anotherTreatment: a.another_treatment,
      controlData: a.control_data,
      motive,
      otherMotive: a.other_motive,
      resolutionRevision: resolution ? 1 : null,
      resolvedAt: resolution ? ctx.runAt : null,
      emergencyCare: resolution?.emergency_care === true,
      createdAt: ctx.runAt,
      updatedAt: ctx.runAt,
    });
  tally.report.inserted++;
  if (resolution) await insertResolution(tx, ctx, resolution, resolutions);
}

async function insertResolution(tx: Executor, ctx: ImportContext, r: LegacyResolution, tally: TableTally) {
  const time = basalTime(r.change_basal_time);
  if (r.change_basal_time !== null && time === null) tally.adjust('basal_time_unparseable');
  else if (time !== null && time !== r.change_basal_time) tally.adjust('basal_time_normalised');
  const scale = Array.isArray(r.glucose_scale) ? (r.glucose_scale as (string | number)[][]) : null;
  if (r.glucose_scale !== null && scale === null) tally.adjust('glucose_scale_dropped');
  await tx.insert(appointmentResolutions).values({
    appointmentId: r.appointment_id,
    revision: 1,
    authorStaffId: await legacyAuthor(tx, ctx),
    changeBasalType: r.change_basal_type,
    changeBasalDoseUnits: r.change_basal_dose,
    changeBasalTime: time,
    changeFastType: r.change_fast_type,
    changeRatioGramsPerUnit: r.change_ratio,
    changeSensitivityMgDlPerUnit: r.change_sensitivity,
    emergencyCare: r.emergency_care === true,
    inPersonVisitNeeded: r.needed_physical_appointment === true,
    glucoseScale: scale,
    createdAt: ctx.runAt,
    updatedAt: ctx.runAt,
  });
  tally.report.inserted++;
}

/** Resolutions whose appointment is not in the legacy appointments table at all. */
async function orphanResolutions(ctx: ImportContext, tally: TableTally): Promise<void> {
  const query = `select r.appointment_id::int as id from appointment_resolution r
    where r.appointment_id > $1 and not exists (select 1 from appointments a where a.appointment_id = r.appointment_id)
    order by r.appointment_id limit ${ctx.chunkSize}`;
  let after = -2147483648;
  for (;;) {
    const rows = await ctx.sources.appointments.query<{ id: number }>(query, [after]);
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as { id: number }).id;
    tally.seen(rows.length);
    for (const r of rows) tally.skip(r.id, 'unknown_appointment');
  }
}
