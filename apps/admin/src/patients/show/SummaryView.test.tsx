import { render, screen } from '@testing-library/react';
import { AdminContext, memoryStore } from 'react-admin';
import { describe, expect, it } from 'vitest';
import { createI18nProvider } from '../../i18n/i18nProvider';
import type { Stats } from './chartData';
import { SummaryView } from './PatientSummary';

const band = (percent: number | null, minutes: number | null) => ({
  count: 10,
  countPercent: percent,
  timePercent: percent,
  percent,
  minutes,
});
const episode = (count: number) => ({ count, minutes: count * 20, longestMinutes: count ? 30 : 0 });

function windowStats(over: Partial<Stats> = {}) {
  return {
    bands: {
      basis: 'time',
      veryLow: band(1, 200),
      low: band(3, 600),
      inRange: band(72.3, 14575),
      high: band(18.7, 3770),
      veryHigh: band(5, 1008),
    },
    byContext: [],
    cgmCount: 4000,
    count: 4000,
    cvPercent: 33.1,
    cvStable: true,
    episodes: { definition: 'x', hypo: episode(2), severeHypo: episode(0), hyper: episode(5), severeHyper: episode(1) },
    gmi: { percent: 6.9, mmolPerMol: 52 },
    gri: null,
    maxMgDl: 300,
    meanMgDl: 151.4,
    minMgDl: 50,
    readingsPerDay: { average: 285.7, days: [] },
    sdMgDl: 50.1,
    sufficiency: {
      daysWithData: 14,
      intervalMinutes: 5,
      percentActive: 99.2,
      reasons: [],
      sufficient: true,
      windowDays: 14,
    },
    target: {
      count: 0,
      countPercent: null,
      highMgDl: 180,
      lowMgDl: 70,
      minutes: null,
      percent: null,
      timePercent: null,
    },
    thresholds: {
      classification: 'x',
      high: 180,
      low: 70,
      veryHigh: 250,
      veryLow: 54,
      target: { low: 70, high: 180 },
      tight: { low: 70, high: 140 },
    },
    tightRange: {
      count: 0,
      countPercent: null,
      highMgDl: 140,
      lowMgDl: 70,
      minutes: null,
      percent: null,
      timePercent: null,
    },
    valuedCount: 4000,
    window: {
      days: 14,
      from: '2026-11-22T03:00:00Z',
      to: '2026-12-06T03:00:00Z',
      timezone: 'America/Argentina/Buenos_Aires',
    },
    ...over,
  };
}

function renderSummary(stats: Stats) {
  return render(
    <AdminContext i18nProvider={createI18nProvider('en')} store={memoryStore()}>
      <SummaryView stats={stats} />
    </AdminContext>,
  );
}

describe('SummaryView', () => {
  it('shows the five bands, the metrics in the unit, and arrows against the previous window', () => {
    const previous = windowStats({ meanMgDl: 160, cvPercent: 35 });
    previous.bands.inRange = band(65, 13000);
    const stats = { ...windowStats(), previous } as unknown as Stats;
    renderSummary(stats);
    expect(screen.getByTestId('band-inRange').textContent).toBe('72.3 %');
    expect(screen.getByTestId('band-veryLow').textContent).toBe('1.0 %');
    expect(screen.getByTestId('metric-mean').textContent).toBe('151 mg/dL');
    expect(screen.getByTestId('metric-gmi').textContent).toBe('6.9 % (52 mmol/mol)');
    const inRangeRow = document.querySelector('[data-band-row="inRange"] [data-delta]');
    expect(inRangeRow?.getAttribute('data-delta')).toBe('up');
    expect(inRangeRow?.getAttribute('data-verdict')).toBe('better');
    expect(inRangeRow?.textContent).toContain('+7.3 %');
    const cv = document.querySelector('[data-metric="cv"] [data-delta]');
    expect(cv?.getAttribute('data-verdict')).toBe('better');
    expect(document.body.textContent).not.toMatch(/dfy\./);
  });

  it('says why GMI is blank', () => {
    const insufficient = windowStats({
      gmi: null,
      cgmCount: 0,
      sufficiency: {
        daysWithData: 5,
        intervalMinutes: 5,
        percentActive: 0,
        reasons: ['no_cgm_data', 'window_shorter_than_14_days'],
        sufficient: false,
        windowDays: 7,
      },
    });
    renderSummary({ ...insufficient, previous: windowStats() } as unknown as Stats);
    expect(screen.getByTestId('metric-gmi').textContent).toBe('—');
    expect(screen.getByText('No GMI: not enough data')).toBeTruthy();
    expect(screen.getByTestId('sufficiency').textContent).toContain('The window is shorter than 14 days.');
  });
});
