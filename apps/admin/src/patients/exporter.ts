/**
 * CSV export of the patient list: jsonexport writes the CSV (quoting is the library's job), with
 * translated headers. Cells that a spreadsheet would run as a formula are neutralised (CSV
 * injection): a name can legally start with "=" or "+".
 */
import jsonexport from 'jsonexport/dist';
import { downloadCSV } from 'react-admin';
import type { Patient } from '../data/patients';
import { formatDate } from '../locale/time';

export const EXPORT_FIELDS = [
  'surname',
  'name',
  'dni',
  'email',
  'hospitalAccount',
  'birthDate',
  'diabetesType',
  'glucoseUnit',
  'targetLowMgDl',
  'targetHighMgDl',
  'timezone',
  'blocked',
  'createdAt',
] as const;

export function neutralise(value: unknown): unknown {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export async function patientsCsv(
  records: readonly Patient[],
  translate: (key: string, options?: Record<string, unknown>) => string,
  locale: string,
): Promise<string> {
  const rows = records.map((p) => {
    const row: Record<string, unknown> = {};
    for (const field of EXPORT_FIELDS) {
      let value: unknown = p[field];
      if (field === 'blocked') value = translate(p.blocked ? 'dfy.common.yes' : 'dfy.common.no');
      else if (field === 'diabetesType' && p.diabetesType) value = translate(`dfy.diabetes.${p.diabetesType}`);
      else if (field === 'birthDate') value = p.birthDate ? formatDate(p.birthDate, locale) : '';
      else if (field === 'createdAt') value = p.createdAt;
      row[field] = neutralise(value ?? '');
    }
    return row;
  });
  return jsonexport(rows, {
    headers: [...EXPORT_FIELDS],
    rename: EXPORT_FIELDS.map((f) => translate(`resources.patients.fields.${f}`)),
  });
}

export function makePatientsExporter(
  translate: (key: string, options?: Record<string, unknown>) => string,
  locale: string,
) {
  return async (records: Patient[]) => {
    downloadCSV(await patientsCsv(records, translate, locale), translate('dfy.patients.export_file'));
  };
}
