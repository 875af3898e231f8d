/**
 * Readings as FHIR R4 (clinical.md, FHIR): a `Bundle` of type `collection` holding one laboratory
 * `Observation` per reading, written incrementally as JSON text so the export streams.
 *
 * Choices (also in the OpenAPI description):
 * - LOINC by what was measured: interstitial fluid (CGM) → 99504-3; capillary blood or a glucometer
 *   reading of unrecorded sample type (manual entry, Bluetooth meter) → 41653-7; anything else
 *   (legacy and import rows of unknown method, venous/arterial/undetermined samples) → 2339-0.
 * - Values in UCUM mg/dL, as stored (one decimal).
 * - A meter's LO/HI has no number and the meter's limits are not recorded, so no bound is invented:
 *   the Observation has no value, a `dataAbsentReason` (`unknown`, text "below/above the measurable
 *   range") and the interpretation `<` / `>` (off scale low / high) from v3 ObservationInterpretation.
 * - Control-solution tests are not observations of the patient and are skipped.
 * - `identifier`: system `<PUBLIC_WEB_ORIGIN>/fhir/sid/reading-id` (reading ids are per deployment),
 *   value the reading id; the Observation id is `glucose-<reading id>`, so re-exports are stable.
 * - `referenceRange`: the patient's personal target range (type `treatment`).
 */
import type { ExportPatient, ExportReading } from './readings.export.repository.js';

/** Text per piece handed to the response (≈ 30 observations): one modest socket write each. */
const PIECE_CHARS = 32_768;

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

export const GLUCOSE_CODES = {
  capillaryGlucometer: { code: '41653-7', display: 'Glucose [Mass/volume] in Capillary blood by Glucometer' },
  interstitialCgm: { code: '99504-3', display: 'Glucose [Mass/volume] in Interstitial fluid' },
  bloodUnknownMethod: { code: '2339-0', display: 'Glucose [Mass/volume] in Blood' },
} as const;

type GlucoseCode = (typeof GLUCOSE_CODES)[keyof typeof GLUCOSE_CODES];

/** The LOINC code of a reading: by sample type when the device said, else by source. */
export function glucoseCodeOf(r: Pick<ExportReading, 'source' | 'sampleType'>): GlucoseCode {
  switch (r.sampleType) {
    case 'interstitial_fluid':
      return GLUCOSE_CODES.interstitialCgm;
    case 'capillary_whole_blood':
    case 'capillary_plasma':
      return GLUCOSE_CODES.capillaryGlucometer;
    case null:
    case 'unknown':
      if (r.source === 'cgm') return GLUCOSE_CODES.interstitialCgm;
      if (r.source === 'manual' || r.source === 'meter') return GLUCOSE_CODES.capillaryGlucometer;
      return GLUCOSE_CODES.bloodUnknownMethod;
    default:
      return GLUCOSE_CODES.bloodUnknownMethod;
  }
}

export function isExportedToFhir(r: Pick<ExportReading, 'sampleType'>): boolean {
  return r.sampleType !== 'control_solution';
}

export interface FhirContext {
  patient: Pick<ExportPatient, 'id' | 'targetLowMgDl' | 'targetHighMgDl'>;
  /** `<PUBLIC_WEB_ORIGIN>/fhir/sid/reading-id`. */
  identifierSystem: string;
  bundleId: string;
  generatedAt: Date;
}

const mgDl = (value: number) => ({ value, unit: 'mg/dL', system: UCUM, code: 'mg/dL' });

const CATEGORY = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'laboratory',
        display: 'Laboratory',
      },
    ],
  },
];

const OFF_SCALE = {
  LO: { code: '<', display: 'Off scale low', text: 'Below the measurable range of the meter (LO)' },
  HI: { code: '>', display: 'Off scale high', text: 'Above the measurable range of the meter (HI)' },
} as const;

export function toObservation(r: ExportReading, ctx: FhirContext): Record<string, unknown> {
  const code = glucoseCodeOf(r);
  const obs: Record<string, unknown> = {
    resourceType: 'Observation',
    id: `glucose-${r.id}`,
    identifier: [{ system: ctx.identifierSystem, value: String(r.id) }],
    status: 'final',
    category: CATEGORY,
    code: { coding: [{ system: LOINC, ...code }], text: 'Glucose' },
    subject: { reference: `Patient/${ctx.patient.id}` },
    effectiveDateTime: r.measuredAt.toISOString(),
  };
  if (r.valueMgDl !== null) {
    obs.valueQuantity = mgDl(r.valueMgDl);
  } else if (r.rangeFlag) {
    const flag = OFF_SCALE[r.rangeFlag];
    obs.dataAbsentReason = {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown', display: 'Unknown' },
      ],
      text: flag.text,
    };
    obs.interpretation = [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
            code: flag.code,
            display: flag.display,
          },
        ],
      },
    ];
  }
  if (r.notes) obs.note = [{ text: r.notes }];
  obs.referenceRange = [
    {
      low: mgDl(ctx.patient.targetLowMgDl),
      high: mgDl(ctx.patient.targetHighMgDl),
      type: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/referencerange-meaning',
            code: 'treatment',
            display: 'Treatment Range',
          },
        ],
      },
    },
  ];
  return obs;
}

/**
 * The bundle as JSON text, in pieces: the head, then one piece per chunk of readings, then the
 * tail. `entry` is opened only when there is a first entry, because FHIR JSON forbids empty arrays.
 * Counts what it wrote in `counter.rows`.
 */
export async function* fhirBundle(
  chunks: AsyncIterable<readonly ExportReading[]>,
  ctx: FhirContext,
  counter: { rows: number } = { rows: 0 },
): AsyncGenerator<string> {
  const head = {
    resourceType: 'Bundle',
    id: ctx.bundleId,
    meta: { lastUpdated: ctx.generatedAt.toISOString() },
    type: 'collection',
    timestamp: ctx.generatedAt.toISOString(),
  };
  yield JSON.stringify(head).slice(0, -1);
  for await (const chunk of chunks) {
    // The whole chunk becomes text before the first piece is handed over, so the readings are
    // garbage while the text waits for the socket.
    const pieces: string[] = [];
    let piece = '';
    for (const r of chunk) {
      if (!isExportedToFhir(r)) continue;
      piece += counter.rows === 0 ? ',"entry":[\n' : ',\n';
      piece += JSON.stringify({ resource: toObservation(r, ctx) });
      counter.rows++;
      if (piece.length >= PIECE_CHARS) {
        pieces.push(piece);
        piece = '';
      }
    }
    if (piece) pieces.push(piece);
    yield* pieces;
  }
  yield counter.rows > 0 ? '\n]}\n' : '}\n';
}
