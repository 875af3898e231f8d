/**
 * Hypo- and hyperglycemia episodes (clinical.md, Danne 2017 / Battelino 2019) from the band runs
 * SQL finds (gaps-and-islands over the CGM readings). Pure: one pass over the runs, never over
 * readings. A window holds a few hundred to a few thousand runs.
 */
import { EPISODE_MINUTES } from './analytics.formulas.js';

/** A reading that starts a run: a band change or a break in the series (SQL `windowAggregates`). */
export interface RunStart {
  /** Epoch ms of the reading. */
  ms: number;
  /** Band index 0–4 (veryLow … veryHigh). */
  band: number;
  /** The series broke before this reading (a gap longer than two sampling intervals). */
  brk: boolean;
  /** At a break: epoch ms of the previous CGM reading; otherwise unused. */
  prevMs: number | null;
}

export interface Run {
  start: number;
  finish: number;
  band: number;
  /** Unbroken stretch of the series the run belongs to. */
  block: number;
}

/**
 * Runs from their starts: a run lasts until the next run starts, or, when a break follows it,
 * until one interval after its last reading. The last run ends at `lastFinish`.
 */
export function runsFromStarts(starts: readonly RunStart[], intervalMinutes: number, lastFinish: number): Run[] {
  const runs: Run[] = [];
  let block = 0;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i] as RunStart;
    const next = starts[i + 1];
    if (s.brk) block += 1;
    const finish = !next ? lastFinish : next.brk ? (next.prevMs ?? next.ms) + intervalMinutes * 60_000 : next.ms;
    runs.push({ start: s.ms, finish: Math.max(finish, s.ms), band: s.band, block });
  }
  return runs;
}

export const EPISODE_KINDS = {
  hypo: (band: number) => band <= 1,
  severeHypo: (band: number) => band === 0,
  hyper: (band: number) => band >= 3,
  severeHyper: (band: number) => band === 4,
} as const;
export type EpisodeKind = keyof typeof EPISODE_KINDS;

export interface EpisodeSummary {
  count: number;
  minutes: number;
  longest: number;
}

/**
 * Episodes of one kind: ≥ 15 consecutive minutes beyond the threshold start one; it ends after
 * ≥ 15 consecutive minutes back, or at a break in the series; shorter returns do not end it. Its
 * duration runs from its start to the end of its last run beyond the threshold.
 */
export function episodesOf(runs: readonly Run[], beyond: (band: number) => boolean): EpisodeSummary {
  const out: EpisodeSummary = { count: 0, minutes: 0, longest: 0 };
  let open: { start: number; end: number } | null = null;
  const close = () => {
    if (!open) return;
    const minutes = (open.end - open.start) / 60_000;
    out.count += 1;
    out.minutes += minutes;
    out.longest = Math.max(out.longest, minutes);
    open = null;
  };
  // Merge consecutive runs on the same side of the threshold (same block) into one stretch.
  let i = 0;
  let lastBlock: number | null = null;
  while (i < runs.length) {
    const first = runs[i] as Run;
    const inside = beyond(first.band);
    let finish = first.finish;
    let j = i + 1;
    while (j < runs.length && (runs[j] as Run).block === first.block && beyond((runs[j] as Run).band) === inside) {
      finish = (runs[j] as Run).finish;
      j++;
    }
    if (lastBlock !== null && first.block !== lastBlock) close();
    lastBlock = first.block;
    const minutes = (finish - first.start) / 60_000;
    if (inside) {
      if (open) open.end = finish;
      else if (minutes >= EPISODE_MINUTES) open = { start: first.start, end: finish };
    } else if (minutes >= EPISODE_MINUTES) close();
    i = j;
  }
  close();
  return out;
}

export function allEpisodes(runs: readonly Run[]): Record<EpisodeKind, EpisodeSummary> {
  return {
    hypo: episodesOf(runs, EPISODE_KINDS.hypo),
    severeHypo: episodesOf(runs, EPISODE_KINDS.severeHypo),
    hyper: episodesOf(runs, EPISODE_KINDS.hyper),
    severeHyper: episodesOf(runs, EPISODE_KINDS.severeHyper),
  };
}
