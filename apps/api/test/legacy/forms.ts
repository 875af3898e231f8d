/** The request bodies the legacy clients send, as the contract tests send them. */

/** The appointment form as the app's `appointment-create.page.ts` sends it (empty strings included). */
export function appointmentForm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    glucose_objective: 100,
    insulin_type: 'rapid',
    dose: 10,
    fast_insulin: 'Humalog',
    fixed_dose: 2,
    ratio: 12,
    sensitivity: 40,
    pump_type: 'none',
    control_data: '',
    motive: ['AJUSTE', 'HIPERGLUCEMIA'],
    other_motive: '',
    another_treatment: '',
    ...overrides,
  };
}

export function resolutionForm(
  appointmentId: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    appointment_id: appointmentId,
    change_basal_type: 'Lantus',
    change_basal_dose: 14,
    change_basal_time: '22:00',
    change_fast_type: 'Humalog',
    change_ratio: 10,
    change_sensitivity: 45,
    emergency_care: false,
    needed_physical_appointment: true,
    glucose_scale: [
      ['Bajo', 70],
      ['Alto', 180],
    ],
    ...overrides,
  };
}
