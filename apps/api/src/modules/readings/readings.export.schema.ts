/**
 * `GET /v1/patients/:id/readings/export`: query, route policy, window bounds and the documented
 * CSV columns. The three formats share the window rules; the PDF report has a shorter maximum
 * because it draws one small chart per day.
 */
import { Id } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import type { RoutePolicy } from '../../lib/principal.js';
import { READING_VALUE_READERS } from './readings.schema.js';

/** Without `from`, the window is the last 90 days before `to` (the usual clinical review span). */
export const DEFAULT_WINDOW_DAYS = 90;
/** CSV and FHIR stream in constant memory, so a year (plus a leap day) is allowed in one request. */
export const MAX_WINDOW_DAYS = 366;
/** The clinician report: AGP reports cover 14–90 days (consensus); longer windows blur the profile. */
export const PDF_MAX_WINDOW_DAYS = 90;

export const EXPORT_FORMATS = ['csv', 'fhir', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Who may export: the patient (own record only; anyone else's is 404) and clinical staff. Assistants
 * are refused (403): the front desk sees no reading values beyond what the queue needs (product.md).
 * Device keys are not accepted (401): devices only write readings.
 */
export const EXPORT_POLICY: RoutePolicy = READING_VALUE_READERS;

/**
 * CSV columns, in order. Instants are ISO 8601 UTC; `local_time` is the same instant on the
 * patient's wall clock with its offset. LO/HI readings have empty values and `range_flag` set.
 */
export const CSV_COLUMNS = [
  'id',
  'measured_at',
  'local_time',
  'value_mg_dl',
  'value_mmol_l',
  'range_flag',
  'unit',
  'context',
  'source',
  'device_id',
  'sequence_number',
  'sample_type',
  'sample_location',
  'notes',
] as const;

export const CSV_DESCRIPTION = [
  'CSV (text/csv, UTF-8, header row, oldest first). Columns:',
  '`id`; `measured_at` (ISO 8601 UTC); `local_time` (patient timezone, ISO 8601 with offset);',
  '`value_mg_dl` (as stored, one decimal); `value_mmol_l` (÷ 18.0156, one decimal);',
  '`range_flag` (`LO` / `HI` when the meter was out of range — both values empty);',
  '`unit` (of entry); `context`; `source`; `device_id`; `sequence_number`; `sample_type`;',
  "`sample_location`; `notes`. Text cells starting with = + - @ tab or CR get a leading ' (formula injection).",
].join(' ');

export const FHIR_DESCRIPTION = [
  'FHIR R4 (application/fhir+json): a `Bundle` of type `collection` with one `Observation` per reading',
  '(status final, category laboratory, LOINC 41653-7 capillary/glucometer, 99504-3 CGM interstitial,',
  '2339-0 blood by unknown method; valueQuantity in UCUM mg/dL). LO/HI readings carry no value: a',
  '`dataAbsentReason` plus interpretation `<` / `>` (off scale low / high), because the meter limits',
  'are not recorded. Control-solution tests are left out (they measure the meter, not the patient).',
].join(' ');

export const PDF_DESCRIPTION = [
  `PDF clinician report (application/pdf, window at most ${PDF_MAX_WINDOW_DAYS} days): patient header,`,
  'window, metrics against the consensus targets, time-in-ranges bar, AGP chart (for meter readings only:',
  'readings by time of day and by meal context instead) and daily profiles. In the language of `lang`, else',
  "of the `Accept-Language` header, else Spanish (the clinic's); values in the patient's glucose unit.",
].join(' ');

export const ExportParams = Type.Object({ id: Id });

export const ExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('csv'), Type.Literal('fhir'), Type.Literal('pdf')], {
        default: 'csv',
        description: 'csv (default), fhir or pdf',
      }),
    ),
    from: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
        description: `Inclusive start: an instant, or YYYY-MM-DD (local midnight in the patient timezone); default \`to\` − ${DEFAULT_WINDOW_DAYS} days`,
      }),
    ),
    to: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
        description: 'Exclusive end: an instant, or YYYY-MM-DD (that whole local day included); default now',
      }),
    ),
    lang: Type.Optional(
      Type.Union([Type.Literal('es'), Type.Literal('en')], {
        description: 'Language of the PDF report: es or en; default from Accept-Language, else es',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const EXPORT_SUMMARY = `Export a patient's readings (streamed). Window: default the last ${DEFAULT_WINDOW_DAYS} days, at most ${MAX_WINDOW_DAYS} days (PDF ${PDF_MAX_WINDOW_DAYS}). Audited.`;
