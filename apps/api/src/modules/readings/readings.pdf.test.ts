/**
 * The clinician report (`format=pdf`): a real PDF with the patient header, the metric labels
 * against the consensus targets, the AGP and the daily profiles, numbers from the analytics
 * service; access and audit as for the other formats.
 */
import { inflateSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, clinician, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, type ReadingInput } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { winAnsi } from './readings.pdf.js';

const NOW = '2026-03-15T12:00:00.000Z';
let p: Awaited<ReturnType<typeof createPatient>>;

/** Every stream of the file, inflated when compressed. */
function contentStreams(pdf: Buffer): string[] {
  const file = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of file.matchAll(/(?<!end)stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    const raw = Buffer.from(m[1] ?? '', 'latin1');
    try {
      out.push(inflateSync(raw).toString('latin1'));
    } catch {
      out.push(raw.toString('latin1'));
    }
  }
  return out;
}

/** The text drawn on the pages: pdfkit writes each line as a TJ array of hex strings (WinAnsi). */
function textOf(pdf: Buffer): string {
  const lines: string[] = [];
  for (const stream of contentStreams(pdf)) {
    for (const tj of stream.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...(tj[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1] ?? '').join('');
      lines.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return lines.join('\n');
}

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;

const api = useTestApp({ clock: new ManualClock(NOW) });

beforeAll(async () => {
  p = await createPatient(api.db.db, {
    name: 'Lucía',
    surname: 'Gómez',
    birthDate: '1980-05-02',
    diabetesType: 'type1',
  });
  const start = Date.parse('2026-03-01T03:00:00.000Z');
  const rows: ReadingInput[] = [];
  for (let i = 0; i < 14 * 96; i++) {
    const minute = (i % 96) * 15;
    const value = 130 + 60 * Math.sin((minute / 1440) * 2 * Math.PI) + (i % 7) * 3 - (minute < 120 ? 70 : 0);
    rows.push({
      valueMgDl: Math.round(value),
      measuredAt: new Date(start + i * 15 * 60_000),
      source: 'cgm',
      deviceId: 'cgm-1',
    });
  }
  await createReadings(api.db.db, p.id, rows);
});

async function report(query: string, who: TokenFor = clinician()): Promise<LightMyRequestResponse> {
  return api.app.inject({
    method: 'GET',
    url: `/v1/patients/${p.id}/readings/export?format=pdf&lang=en${query}`,
    headers: bearer(await tokenFor(api.app, who)),
  });
}

describe('text for the standard PDF fonts', () => {
  it('keeps Spanish and Latin-1 names, and replaces what WinAnsi cannot draw', () => {
    expect(winAnsi('Lucía Gómez Ñandú Müller')).toBe('Lucía Gómez Ñandú Müller');
    expect(winAnsi('Łukasz Dvořák 李')).toBe('?ukasz Dvorák ?');
    expect(winAnsi('Œuvre — “quoted”')).toBe('Œuvre — “quoted”');
  });
});

describe('PDF clinician report', () => {
  it('is a two-page PDF with the patient, the window, the metrics against targets, the AGP and daily profiles', async () => {
    const res = await report('&from=2026-03-01&to=2026-03-14');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="readings-patient-${p.id}-20260301-20260315.pdf"`,
    );
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    expect(pageCount(pdf)).toBe(2);
    const text = textOf(pdf);
    for (const label of [
      'Lucía Gómez',
      'Born 1980-05-02',
      'Window: 2026-03-01 00:00 to 2026-03-15 00:00 (14 days, America/Argentina/Buenos_Aires)',
      'Readings: 1344',
      'Key metrics vs consensus targets',
      'Time in range (70-180 mg/dL)',
      'Time below range (< 70 mg/dL)',
      'Time very low (< 54 mg/dL)',
      'Time above range (> 180 mg/dL)',
      'Coefficient of variation (CV)',
      'Glucose management indicator (GMI)',
      '> 70 %',
      '< 4 %',
      '< 1 %',
      '< 25 %',
      '<= 36 %',
      'Time in ranges',
      'Ambulatory Glucose Profile (AGP)',
      'Daily profiles',
      '2026-03-14',
    ]) {
      expect(text).toContain(label);
    }
  });

  it('shows the numbers the statistics endpoint gives for the same window', async () => {
    const stats = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/stats?from=2026-03-01&to=2026-03-14`,
      headers: bearer(await tokenFor(api.app, clinician())),
    });
    expect(stats.statusCode).toBe(200);
    const s = stats.json();
    const text = textOf((await report('&from=2026-03-01&to=2026-03-14')).rawPayload);
    expect(text).toContain(`In range 70-180: ${s.bands.inRange.percent.toFixed(1)} %`);
    expect(text).toContain(`${s.gmi.percent.toFixed(1)} % (${s.gmi.mmolPerMol.toFixed(0)} mmol/mol)`);
    expect(text).toContain(`${Math.round(s.meanMgDl)} mg/dL`);
  });

  it('still renders, saying so, when the window has no readings', async () => {
    const res = await report('&from=2025-01-01&to=2025-01-31');
    expect(res.statusCode).toBe(200);
    expect(pageCount(res.rawPayload)).toBe(2);
    const text = textOf(res.rawPayload);
    expect(text).toContain('No readings in this window');
    expect(text).toContain('Readings: 0');
  });

  it('is audited with the window and the number of readings it summarises', async () => {
    const res = await report('&from=2026-03-01&to=2026-03-14');
    const rows = await api.db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])))
      .orderBy(auditEvents.id);
    expect(rows.map((r) => [r.action, r.outcome, r.patientId, r.details])).toEqual([
      [
        'readings.export',
        'success',
        p.id,
        { stage: 'started', format: 'pdf', from: '2026-03-01T03:00:00.000Z', to: '2026-03-15T03:00:00.000Z' },
      ],
      ['readings.export', 'success', p.id, { stage: 'completed', format: 'pdf', rows: 1344 }],
    ]);
  });

  it("a patient cannot get another patient's report (404), and gets their own", async () => {
    const other = await createPatient(api.db.db);
    const denied = await report('', { kind: 'patient', id: other.id, roles: ['patient'] });
    expect(denied.statusCode).toBe(404);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    const own = await report('', { kind: 'patient', id: p.id, roles: ['patient'] });
    expect(own.statusCode).toBe(200);
  });
});
