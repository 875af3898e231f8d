/** The API shapes of an appointment and a resolution, from their rows (dates as ISO strings). */
import type * as repo from './appointments.repository.js';
import type { Appointment, Resolution } from './appointments.schema.js';
import type { RequestState } from './appointments.states.js';

export function toAppointment(row: repo.AppointmentView): Appointment {
  return {
    id: row.id,
    requestId: row.requestId,
    patient: { id: row.patientId, name: row.patientName, surname: row.patientSurname },
    state: row.resolutionRevision === null ? 'awaiting_resolution' : 'resolved',
    requestState: row.requestState as RequestState,
    glucoseObjective: row.glucoseObjectiveMgDl,
    insulinType: row.insulinType,
    dose: row.doseUnits,
    fastInsulin: row.fastInsulin,
    fixedDose: row.fixedDoseUnits,
    ratio: row.ratioGramsPerUnit,
    sensitivity: row.sensitivityMgDlPerUnit,
    pumpType: row.pumpType,
    anotherTreatment: row.anotherTreatment,
    controlData: row.controlData,
    motive: row.motive as Appointment['motive'],
    otherMotive: row.otherMotive,
    resolutionRevision: row.resolutionRevision,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    emergencyCare: row.emergencyCare,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toResolution(row: repo.ResolutionRow): Resolution {
  return {
    appointmentId: row.appointmentId,
    revision: row.revision,
    authorId: row.authorStaffId,
    changeBasalType: row.changeBasalType,
    changeBasalDose: row.changeBasalDoseUnits,
    changeBasalTime: row.changeBasalTime,
    changeFastType: row.changeFastType,
    changeRatio: row.changeRatioGramsPerUnit,
    changeSensitivity: row.changeSensitivityMgDlPerUnit,
    emergencyCare: row.emergencyCare,
    inPersonVisitNeeded: row.inPersonVisitNeeded,
    glucoseScale: row.glucoseScale ?? null,
    notes: row.notes,
    correctionReason: row.correctionReason,
    createdAt: row.createdAt.toISOString(),
  };
}
