/**
 * Consultation queue, appointments and resolutions (README.md: states, capacity, legacy mapping).
 * With QUEUE_SCHEDULE or QUEUE_AUTO_RESET_AT set, a timer applies opening hours and the daily
 * reset; every instance may run it (boundaries apply once, under the queue row lock).
 */
import type { FastifyInstance } from 'fastify';
import { sendAfterCommit } from '../notifications/mailer.js';
import { AppointmentsAccess } from './appointments.access.js';
import { QueueAdmission } from './appointments.queue.admission.js';
import { QueueDay } from './appointments.queue.day.js';
import queueRoutes from './appointments.queue.routes.js';
import { QueueService } from './appointments.queue.service.js';
import { RequestsService } from './appointments.requests.service.js';
import { ResolutionsService } from './appointments.resolutions.service.js';
import appointmentRoutes from './appointments.routes.js';
import { AppointmentsService } from './appointments.service.js';
import type { WorkflowDeps } from './appointments.workflow.js';

export { QueueService } from './appointments.queue.service.js';
export { RequestsService } from './appointments.requests.service.js';
export { AppointmentsService } from './appointments.service.js';

function workflowDeps(app: FastifyInstance): WorkflowDeps {
  return {
    db: app.db.db,
    audit: app.audit,
    events: app.events,
    clock: app.clock,
    mail: (tx, message, what) => sendAfterCommit(app, tx, message, what),
  };
}

/** The queue: its settings and reads, the submit path and the queue day, one instance's cache. */
export function queueService(app: FastifyInstance): QueueService {
  const deps = { ...workflowDeps(app), timezone: app.config.clinic.timezone, queue: app.config.queue };
  const admission = new QueueAdmission(deps);
  // A reset or a scheduled opening may free capacity: the submit path forgets its cached refusal.
  const day = new QueueDay({ ...deps, onCapacityChange: () => admission.capacityMayHaveChanged() });
  return new QueueService(deps, { admission, day });
}

export function appointmentsService(app: FastifyInstance): AppointmentsService {
  const deps = workflowDeps(app);
  const access = new AppointmentsAccess(deps);
  const resolutions = new ResolutionsService({ ...deps, access });
  return new AppointmentsService({ ...deps, access, resolutions });
}

export interface ConsultationServices {
  queue: QueueService;
  requests: RequestsService;
  appointments: AppointmentsService;
}

/**
 * The three consultation services wired together, for one HTTP surface (/v1, or a legacy
 * listener): the queue's cached "full"/"closed" verdict is dropped on this instance's own
 * decisions and on every queue event of the bus. Call it while `app` registers its plugins: the
 * bus subscription ends when `app` closes.
 */
export function consultationServices(app: FastifyInstance): ConsultationServices {
  const queue = queueService(app);
  // Any queue change but a new submit may free capacity or reopen the queue (events of every
  // instance arrive here through the bus).
  const unsubscribe = app.events.bus.subscribe((event) => {
    if (event.topic === 'queue' && event.type !== 'request_submitted') queue.capacityMayHaveChanged();
  });
  app.addHook('onClose', async () => unsubscribe());
  const requests = new RequestsService({
    ...workflowDeps(app),
    onCapacityChange: () => queue.capacityMayHaveChanged(),
  });
  return { queue, requests, appointments: appointmentsService(app) };
}

export default async function appointmentsModule(app: FastifyInstance) {
  const { queue, requests, appointments } = consultationServices(app);
  await app.register(queueRoutes, { service: queue, requests });
  await app.register(appointmentRoutes, { service: appointments });

  const { schedule, autoResetAt, schedulerIntervalMs } = app.config.queue;
  if (schedule.length === 0 && autoResetAt === null) return;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const step = () => {
    running = queue.tick().catch((err: unknown) => app.log.warn({ err }, 'queue scheduler step failed'));
  };
  app.addHook('onReady', async () => {
    step();
    timer = setInterval(step, schedulerIntervalMs);
    // The timer alone must not keep the process alive (graceful shutdown closes the app).
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
