/**
 * appointments database, part 1: the queue configuration and the current queue entries, in one
 * transaction under the queue row lock (the queue is at most a day's worth of rows).
 *
 * The first run takes two fresh queue days: `history` (the target's day + 1) for the requests
 * synthesised for past appointments, and `current` (+ 2) for the legacy queue as it stands, which
 * becomes the target's current day with placements as they were. The days are recorded in a
 * `legacy.import_queue` audit row written in the same transaction; later runs read them from there
 * (README "Queue days").
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { auditEvents, queueRequests, queueRequestTransitions } from '../../db/schema/index.js';
import type { AuditService } from '../../modules/audit/audit.service.js';
import type { ImportContext } from './context.js';
import type { TableTally } from './report.js';
import { columnsOf, findQueueConfig, ident } from './source.js';

export type QueueDays = { history: number; current: number };
/** Result of the queue step: the days, or why the appointments part cannot be imported. */
export type QueueOutcome = { days: QueueDays } | { days: null; refused: string | null };

const STATES: Record<string, string> = {
  PENDING: 'pending',
  ACCEPTED: 'accepted',
  DENIED: 'denied',
  CREATED: 'created',
};
export const QUEUE_MARKER_ACTION = 'legacy.import_queue';

interface Entry {
  placement: number;
  user_id: number;
  state: string | null;
}

/** The queue days of an earlier run, from its marker audit row. */
async function recordedDays(tx: Executor): Promise<QueueDays | null> {
  const [row] = await tx
    .select({ details: auditEvents.details })
    .from(auditEvents)
    .where(eq(auditEvents.action, QUEUE_MARKER_ACTION))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  const d = row?.details as { historyDay?: number; currentDay?: number } | undefined;
  return d?.historyDay && d.currentDay ? { history: d.historyDay, current: d.currentDay } : null;
}

export async function importQueue(
  ctx: ImportContext,
  audit: AuditService,
  config: TableTally,
  queue: TableTally,
): Promise<QueueOutcome> {
  const src = ctx.sources.appointments;
  const hasQueue = (await columnsOf(src, 'appointment_queue')).size > 0;
  const entries = hasQueue
    ? await src.query<Entry>(
        `select queue_placement::int as placement, user_id::int as user_id, appointment_state::text as state
         from appointment_queue order by queue_placement`,
      )
    : [];
  const shape = await findQueueConfig(src);
  const [cfg] = shape
    ? await src.query<{ size: number | null; open: boolean | null }>(
        `select ${ident(shape.size)}::int as size, ${shape.open ? `${ident(shape.open)}::bool` : 'null::bool'} as open
         from ${ident(shape.table)} limit 1`,
      )
    : [];
  const hasAppointments = (await columnsOf(src, 'appointments')).size > 0;
  const [appointmentCount] = hasAppointments
    ? await src.query<{ n: number }>('select count(*)::int as n from appointments')
    : [{ n: 0 }];
  // CREATED entries: whether the user's latest appointment already has its resolution.
  const resolvedUsers = new Set<number>();
  if (hasAppointments && (await columnsOf(src, 'appointment_resolution')).size > 0) {
    const rows = await src.query<{ user_id: number }>(
      `select a.user_id::int as user_id from appointments a
       join appointment_resolution r on r.appointment_id = a.appointment_id
       where a.appointment_id = (select max(b.appointment_id) from appointments b where b.user_id = a.user_id)`,
    );
    for (const r of rows) resolvedUsers.add(r.user_id);
  }
  config.seen(cfg ? 1 : 0);
  queue.seen(entries.length);
  if (!cfg && entries.length === 0 && (appointmentCount?.n ?? 0) === 0) return { days: null, refused: null };

  return ctx.target.transaction(async (tx) => {
    const [settings] = await queryRows<{ day: number; next: number }>(
      tx,
      sql`select day, next_placement as next from queue_settings where id = 1 for update`,
    );
    if (!settings) throw new Error('queue_settings has no row (migrations not applied?)');
    let days = await recordedDays(tx);
    // Entries may be added to the imported day only while it is still the target's current day.
    let dayOpen = days !== null && settings.day === days.current;
    if (days) {
      if (cfg) config.report.present++;
    } else {
      const [busy] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from queue_requests where released_at is null`,
      );
      if ((busy?.n ?? 0) > 0) {
        if (cfg) config.skip(1, 'target_queue_in_use');
        for (const e of entries) queue.skip(e.placement, 'target_queue_in_use');
        return { days: null, refused: 'target_queue_in_use' };
      }
      days = { history: settings.day + 1, current: settings.day + 2 };
      const next = entries.reduce((m, e) => Math.max(m, e.placement + 1), 0);
      const capacity = cfg?.size ?? null;
      await tx.execute(sql`update queue_settings set day = ${days.current}, day_started_at = ${ctx.runAt},
        next_placement = ${next}, updated_at = ${ctx.runAt},
        capacity = coalesce(${capacity !== null && capacity >= 0 && capacity <= 10000 ? capacity : null}::int, capacity),
        open = coalesce(${cfg?.open ?? null}::bool, open)
        where id = 1`);
      if (cfg) config.report.inserted++;
      dayOpen = true;
      await audit.record(tx, {
        actor: { id: null, role: 'system' },
        action: QUEUE_MARKER_ACTION,
        resourceType: 'queue',
        resourceId: 1,
        outcome: 'success',
        details: { historyDay: days.history, currentDay: days.current, previousDay: settings.day, nextPlacement: next },
      });
    }
    const current = days.current;
    for (const e of entries) await entryRow(tx, ctx, e, current, dayOpen, resolvedUsers, queue);
    return { days };
  });
}

async function entryRow(
  tx: Executor,
  ctx: ImportContext,
  e: Entry,
  currentDay: number,
  dayOpen: boolean,
  resolvedUsers: Set<number>,
  tally: TableTally,
): Promise<void> {
  const [existing] = await tx
    .select({ id: queueRequests.id })
    .from(queueRequests)
    .where(
      and(
        eq(queueRequests.patientId, e.user_id),
        eq(queueRequests.queueDay, currentDay),
        eq(queueRequests.placement, e.placement),
      ),
    );
  if (existing) {
    tally.report.present++;
    return;
  }
  if (!ctx.userIds.has(e.user_id)) return tally.skip(e.placement, 'unknown_user');
  if (ctx.skippedUsers.has(e.user_id)) return tally.skip(e.placement, 'user_skipped');
  const mapped = e.state ? STATES[e.state] : undefined;
  if (!mapped) return tally.skip(e.placement, 'unknown_state');
  if (e.placement < 0) return tally.skip(e.placement, 'invalid_placement');
  if (!dayOpen) return tally.skip(e.placement, 'queue_day_over');
  const [clash] = await queryRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from queue_requests
      where (patient_id = ${e.user_id} and released_at is null) or (queue_day = ${currentDay} and placement = ${e.placement})`,
  );
  if ((clash?.n ?? 0) > 0) return tally.skip(e.placement, 'queue_slot_taken');
  const state = mapped === 'created' && resolvedUsers.has(e.user_id) ? 'resolved' : mapped;
  const decided = state === 'pending' ? null : ctx.runAt;
  const [row] = await tx
    .insert(queueRequests)
    .values({
      patientId: e.user_id,
      state,
      queueDay: currentDay,
      placement: e.placement,
      decidedAt: decided,
      createdAt: ctx.runAt,
      updatedAt: ctx.runAt,
    })
    .returning({ id: queueRequests.id });
  if (!row) throw new Error(`queue entry ${e.placement} was not inserted`);
  await tx.insert(queueRequestTransitions).values({
    requestId: row.id,
    fromState: null,
    toState: state,
    actorRole: 'system',
    reason: `imported from the legacy queue (placement ${e.placement}, ${e.state})`,
    createdAt: ctx.runAt,
    updatedAt: ctx.runAt,
  });
  tally.report.inserted++;
}
