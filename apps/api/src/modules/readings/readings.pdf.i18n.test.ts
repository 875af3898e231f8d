/**
 * The clinician report in the reader's language (Spanish by default, English on request) and in the
 * patient's unit, and the meter view that replaces the AGP for a patient without CGM data. The words
 * are checked on the report layout built from the real analytics of seeded data; the language the
 * HTTP route picks is checked on the PDF's own /Lang entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createReadings, type ReadingInput } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { analyticsService } from '../analytics/index.js';
import { dailyProfilePoints, findExportPatient, readingsByTimeOfDay } from './readings.export.repository.js';
import { chooseLanguage, type ReportLanguage } from './readings.pdf.i18n.js';
import { buildLayout, type ReportLayout } from './readings.pdf.js';

const NOW = '2026-03-15T12:00:00.000Z';
const FROM = new Date('2026-03-01T03:00:00.000Z');
const TO = new Date('2026-03-15T03:00:00.000Z');
const api = useTestApp({ clock: NOW });

let cgm: Awaited<ReturnType<typeof createPatient>>;
let meter: Awaited<ReturnType<typeof createPatient>>;

/** Meter days: fasting 07:10, lunch 13:20, dinner 20:30, bedtime 23:40 (local, UTC−3). */
const METER_SLOTS = [
  { utcMinutes: 10 * 60 + 10, context: 'fasting', value: 95 },
  { utcMinutes: 16 * 60 + 20, context: 'lunch', value: 165 },
  { utcMinutes: 23 * 60 + 30, context: 'dinner', value: 210 },
  { utcMinutes: 26 * 60 + 40, context: 'bedtime', value: 50 },
];

async function seed() {
  cgm = await createPatient(api.db.db, { name: 'Lucía', surname: 'Gómez', diabetesType: 'type1' });
  const cgmRows: ReadingInput[] = [];
  for (let i = 0; i < 14 * 96; i++) {
    const minute = (i % 96) * 15;
    const value = 140 + 50 * Math.sin((minute / 1440) * 2 * Math.PI) + (i % 5) * 4;
    cgmRows.push({ valueMgDl: Math.round(value), measuredAt: new Date(FROM.getTime() + i * 900_000), source: 'cgm' });
  }
  await createReadings(api.db.db, cgm.id, cgmRows);
  meter = await createPatient(api.db.db, { glucoseUnit: 'mmol/L', diabetesType: 'type2', birthDate: '1961-07-20' });
  const meterRows: ReadingInput[] = [];
  for (let day = 0; day < 14; day++) {
    for (const slot of METER_SLOTS) {
      const at = FROM.getTime() - 3 * 3_600_000 + day * 86_400_000 + slot.utcMinutes * 60_000;
      meterRows.push({ valueMgDl: slot.value + day, measuredAt: new Date(at), source: 'meter', context: slot.context });
    }
  }
  await createReadings(api.db.db, meter.id, meterRows);
}

beforeAll(seed);

/** The layout the export would draw for `patientId` over the fixed window. */
async function layoutFor(patientId: number, lang: ReportLanguage): Promise<ReportLayout> {
  const db = api.db.db;
  const patient = await findExportPatient(db, patientId);
  if (!patient) throw new Error('no patient');
  const opts = { from: FROM, to: TO, timezone: patient.timezone };
  const analytics = analyticsService(api.app);
  const stats = await analytics.computeStats(patientId, opts);
  const agp = await analytics.computeAgp(patientId, opts);
  const days = await dailyProfilePoints(db, patientId, FROM, TO, patient.timezone, {
    bucketMinutes: 15,
    maxDays: 14,
    maxPoints: 14 * 96,
  });
  const byTimeOfDay =
    stats.cgmCount === 0 ? await readingsByTimeOfDay(db, patientId, FROM, TO, patient.timezone) : null;
  return buildLayout({ patient, from: FROM, to: TO, generatedAt: new Date(NOW), lang, stats, agp, days, byTimeOfDay });
}

/** Every text of a layout, in a fixed order (so two layouts pair up string by string). */
function texts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) texts(v, out);
  return out;
}

describe('the report language', () => {
  it('is the explicit lang, else the best Accept-Language we speak, else Spanish', () => {
    expect(chooseLanguage('en', 'es-AR')).toBe('en');
    expect(chooseLanguage('es', 'en-US,en;q=0.9')).toBe('es');
    expect(chooseLanguage(undefined, 'en-US,en;q=0.9')).toBe('en');
    expect(chooseLanguage(undefined, 'fr-FR, en;q=0.5, es;q=0.8')).toBe('es');
    expect(chooseLanguage(undefined, 'de, en-GB;q=0.7')).toBe('en');
    expect(chooseLanguage(undefined, 'en;q=0, fr')).toBe('es');
    expect(chooseLanguage(undefined, 'fr')).toBe('es');
    expect(chooseLanguage(undefined, undefined)).toBe('es');
  });

  it('the PDF route answers in the language chosen that way', async () => {
    const url = `/v1/patients/${cgm.id}/readings/export?format=pdf&from=2026-03-01&to=2026-03-14`;
    const cases: [string, Record<string, string>, ReportLanguage][] = [
      [url, {}, 'es'],
      [`${url}&lang=en`, {}, 'en'],
      [url, { 'accept-language': 'en-US,en;q=0.9' }, 'en'],
      [`${url}&lang=es`, { 'accept-language': 'en' }, 'es'],
      [url, { 'accept-language': 'fr-FR' }, 'es'],
    ];
    for (const [target, headers, lang] of cases) {
      const res = await api.call('clinician', 'GET', target, undefined, headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.rawPayload.toString('latin1')).toContain(`/Lang (${lang})`);
    }
    const bad = await api.call('clinician', 'GET', `${url}&lang=fr`);
    expect(bad.statusCode).toBe(400);
  });
});

describe('a CGM report', () => {
  it('in Spanish: Spanish words, dates and decimal commas, the AGP', async () => {
    const es = await layoutFor(cgm.id, 'es');
    const stats = await analyticsService(api.app).computeStats(cgm.id, { from: FROM, to: TO, timezone: cgm.timezone });
    expect(es.title).toBe('Informe de glucosa');
    expect(es.header.window).toBe(
      'Período: 01/03/2026 00:00 a 15/03/2026 00:00 (14 días, America/Argentina/Buenos_Aires)',
    );
    expect(es.header.summary).toMatch(/^Lecturas: 1344 {3}\| {3}Días con datos: 14 /);
    expect(es.header.facts).toBe(`DNI ${cgm.dni}   |   Diabetes: tipo 1   |   Objetivo 70-180 mg/dL`);
    const inRange = (stats.bands.inRange.percent as number).toFixed(1).replace('.', ',');
    expect(es.metrics.rows[0]).toMatchObject({ label: 'Tiempo en rango (70-180 mg/dL)', value: `${inRange} %` });
    expect(es.bands.rows.find((r) => r.key === 'inRange')?.label).toBe(`En rango 70-180: ${inRange} %`);
    expect(es.profile.kind).toBe('agp');
    expect(es.profile.title).toBe('Perfil ambulatorio de glucosa (AGP)');
    expect(es.daily.days.at(-1)?.label).toBe('14/03/2026');
    expect(es.dots).toBe(false);
  });

  it('leaves no English in the Spanish report (only numbers, units and names are the same)', async () => {
    const es = texts(await layoutFor(cgm.id, 'es'));
    const en = texts(await layoutFor(cgm.id, 'en'));
    expect(es).toHaveLength(en.length);
    const same = es.filter((text, i) => text === en[i] && /[a-z]{3,}/i.test(text));
    // The patient's name, a word both languages share, and the model's own keys are not text to translate.
    const shared = ['Lucía Gómez', 'individual', 'agp', 'veryHigh', 'high', 'inRange', 'low', 'veryLow'];
    expect(same.filter((t) => !shared.includes(t))).toEqual([]);
    expect(en).toContain('Key metrics vs consensus targets');
    expect(es).toContain('Métricas clave frente a los objetivos de consenso');
  });
});

describe('a meter-only report (no CGM data)', () => {
  it('shows readings by time of day and by meal context instead of an AGP, in the patient’s mmol/L', async () => {
    const es = await layoutFor(meter.id, 'es');
    expect(es.profile.kind).toBe('meter');
    if (es.profile.kind !== 'meter') return;
    expect(es.profile.title).toBe('Lecturas por momento del día');
    expect(es.header.facts).toContain('Objetivo 3,9-10,0 mmol/L');
    expect(es.metrics.rows[0]?.label).toBe('Tiempo en rango (3,9-10,0 mmol/L)');
    // Fasting 07:10 → morning; lunch 13:20 → afternoon; dinner 20:30 and bedtime 23:40 → evening.
    const periods = Object.fromEntries(es.profile.periods.rows.map((r) => [r[0], r.slice(1)]));
    expect(Object.keys(periods)).toEqual(['Madrugada 00-06', 'Mañana 06-12', 'Tarde 12-18', 'Noche 18-24']);
    expect(periods['Madrugada 00-06']?.[0]).toBe('0');
    // Fasting values 95…108 mg/dL: mean 101.5 mg/dL = 5.6 mmol/L; all in range.
    expect(periods['Mañana 06-12']).toEqual(['14', '5,6 mmol/L', '5,3-6,0', '0 (0 %)', '14 (100 %)', '0 (0 %)']);
    expect(periods['Noche 18-24']?.[0]).toBe('28');
    // Bedtime 50…63 mg/dL: below range; dinner 210…223: above.
    const contexts = Object.fromEntries(es.profile.contexts.rows.map((r) => [r[0], r.slice(1)]));
    expect(Object.keys(contexts).sort()).toEqual(['Al acostarse', 'Almuerzo', 'Ayunas', 'Cena']);
    expect(contexts['Al acostarse']?.slice(3)).toEqual(['14 (100 %)', '0 (0 %)', '0 (0 %)']);
    expect(contexts.Cena?.slice(3)).toEqual(['0 (0 %)', '0 (0 %)', '14 (100 %)']);
    expect(es.profile.scatter.points.length).toBeGreaterThan(0);
    expect(es.dots).toBe(true);
    expect(texts(es).join('\n')).not.toMatch(/mg\/dL/);
  });

  it('in English with decimal points, and the PDF renders', async () => {
    const en = await layoutFor(meter.id, 'en');
    expect(en.profile.kind === 'meter' && en.profile.periods.rows[1]?.slice(0, 3)).toEqual([
      'Morning 06-12',
      '14',
      '5.6 mmol/L',
    ]);
    expect(en.header.facts).toBe(
      `DNI ${meter.dni}   |   Born 1961-07-20   |   Diabetes: type 2   |   Target 3.9-10.0 mmol/L`,
    );
    const res = await api.call(
      'clinician',
      'GET',
      `/v1/patients/${meter.id}/readings/export?format=pdf&from=2026-03-01&to=2026-03-14`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
