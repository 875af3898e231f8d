import { describe, expect, it } from 'vitest';
import { allEpisodes, EPISODE_KINDS, episodesOf, type RunStart, runsFromStarts } from './analytics.episodes.js';

const MIN = 60_000;

/** Run starts for a regular 5-minute series of bands (a start wherever the band changes). */
function startsOf(bands: readonly number[], t0 = 0): RunStart[] {
  const out: RunStart[] = [];
  bands.forEach((band, i) => {
    if (i === 0 || band !== bands[i - 1]) out.push({ ms: t0 + i * 5 * MIN, band, brk: i === 0, prevMs: null });
  });
  return out;
}

const runsOf = (bands: readonly number[]) => runsFromStarts(startsOf(bands), 5, bands.length * 5 * MIN);
const rep = (band: number, n: number) => Array<number>(n).fill(band);

describe('runs', () => {
  it('lasts until the next run starts, or one interval past its last reading at a break', () => {
    const runs = runsFromStarts(
      [
        { ms: 0, band: 2, brk: true, prevMs: null },
        { ms: 10 * MIN, band: 1, brk: false, prevMs: null },
        // 40 minutes without data: the series broke after the reading at 15 min.
        { ms: 55 * MIN, band: 1, brk: true, prevMs: 15 * MIN },
      ],
      5,
      60 * MIN,
    );
    expect(runs).toEqual([
      { start: 0, finish: 10 * MIN, band: 2, block: 1 },
      { start: 10 * MIN, finish: 20 * MIN, band: 1, block: 1 },
      { start: 55 * MIN, finish: 60 * MIN, band: 1, block: 2 },
    ]);
  });
});

describe('episodes', () => {
  it('needs 15 consecutive minutes beyond the threshold', () => {
    expect(episodesOf(runsOf([2, 1, 1, 2, 2, 2]), EPISODE_KINDS.hypo).count).toBe(0); // 10 min
    expect(episodesOf(runsOf([2, 1, 1, 1, 2, 2, 2]), EPISODE_KINDS.hypo)).toEqual({
      count: 1,
      minutes: 15,
      longest: 15,
    });
  });

  it('does not end on a return shorter than 15 minutes, and ends on one of 15', () => {
    const bands = [...rep(1, 4), ...rep(2, 2), ...rep(1, 2), ...rep(2, 3), ...rep(1, 3), ...rep(2, 3)];
    // 20 min low, 10 back, 10 low (same episode: 40 min), 15 back (ends it), 15 low (a second one).
    expect(episodesOf(runsOf(bands), EPISODE_KINDS.hypo)).toEqual({ count: 2, minutes: 55, longest: 40 });
  });

  it('counts below 54 within below 70, and above 250 within above 180', () => {
    const bands = [...rep(2, 3), ...rep(1, 2), ...rep(0, 3), ...rep(2, 3), ...rep(3, 3), ...rep(4, 4), ...rep(2, 3)];
    const e = allEpisodes(runsOf(bands));
    expect(e.hypo).toEqual({ count: 1, minutes: 25, longest: 25 });
    expect(e.severeHypo).toEqual({ count: 1, minutes: 15, longest: 15 });
    expect(e.hyper).toEqual({ count: 1, minutes: 35, longest: 35 });
    expect(e.severeHyper).toEqual({ count: 1, minutes: 20, longest: 20 });
  });

  it('ignores a short excursion before the episode starts', () => {
    // 10 min low, 5 back, then 15 low: the episode starts with the 15-minute run.
    const bands = [...rep(1, 2), 2, ...rep(1, 3), ...rep(2, 3)];
    expect(episodesOf(runsOf(bands), EPISODE_KINDS.hypo)).toEqual({ count: 1, minutes: 15, longest: 15 });
  });

  it('ends an episode at a break in the series and does not join lows across it', () => {
    const starts: RunStart[] = [
      { ms: 0, band: 1, brk: true, prevMs: null }, // 10 min low …
      { ms: 40 * MIN, band: 1, brk: true, prevMs: 5 * MIN }, // … 30 min without data, 10 min low
      { ms: 50 * MIN, band: 2, brk: false, prevMs: null },
    ];
    expect(episodesOf(runsFromStarts(starts, 5, 70 * MIN), EPISODE_KINDS.hypo).count).toBe(0);
  });

  it('closes an episode still running at the end of the window', () => {
    expect(episodesOf(runsOf([2, 2, 2, 4, 4, 4, 4]), EPISODE_KINDS.severeHyper)).toEqual({
      count: 1,
      minutes: 20,
      longest: 20,
    });
  });
});
