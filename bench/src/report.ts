/**
 * The run's report: one Markdown table of scenarios next to their ceilings, the ceilings
 * themselves, the budgets missed with a reason, and what the machine was. Ratio = value ÷ ceiling,
 * always: for throughput it is the share of the machine's best (≤ 1 is expected), for a latency
 * or a cost it is how many times the bare path (≥ 1 is expected).
 */

export type Unit = 'req/s' | 'ms' | 'ms/req' | 'MB' | 'readings/s' | 'ops/s' | '%' | 'count';

export interface Budget {
  op: '<' | '>';
  limit: number;
  /** As architecture.md states it. */
  text: string;
}

export interface Row {
  scenario: string;
  size: string;
  metric: string;
  unit: Unit;
  /** null: the capability is not built yet (the ceiling may still be measured). */
  value: number | null;
  ceiling: number | null;
  budget?: Budget;
  /** Why a budget is missed, or what to keep in mind reading the number. */
  note?: string;
}

export interface CeilingRow {
  ceiling: string;
  size: string;
  metric: string;
  unit: Unit;
  value: number;
  how: string;
}

export interface ReportContext {
  title: string;
  machine: [string, string][];
  data: [string, string][];
  rows: Row[];
  ceilings: CeilingRow[];
  warnings: string[];
}

export function fmt(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'req/s' || unit === 'readings/s' || unit === 'ops/s' || unit === 'count')
    return Math.round(value).toLocaleString('en-US');
  if (unit === 'MB' || unit === '%') return value.toFixed(1);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

const withUnit = (value: number, unit: Unit) => (unit === 'count' ? fmt(value, unit) : `${fmt(value, unit)} ${unit}`);

export function status(row: Row): string {
  if (row.value === null) return 'not built yet';
  if (!row.budget) return '';
  const ok = row.budget.op === '<' ? row.value < row.budget.limit : row.value > row.budget.limit;
  return ok ? 'pass' : '**FAIL**';
}

function ratio(row: Row): string {
  // A difference that noise made negative has no meaningful ratio.
  if (row.value === null || row.ceiling === null || row.value <= 0 || row.ceiling <= 0) return '—';
  const r = row.value / row.ceiling;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

function table(header: string[], lines: string[][]): string {
  const esc = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function scenarioTable(rows: Row[]): string {
  return table(
    ['scenario', 'size', 'metric', 'value', 'ceiling', 'ratio', 'budget', 'result'],
    rows.map((r) => [
      r.scenario,
      r.size,
      r.metric,
      r.value === null ? 'not built yet' : withUnit(r.value, r.unit),
      r.ceiling === null ? '—' : withUnit(r.ceiling, r.unit),
      ratio(r),
      r.budget?.text ?? '—',
      status(r),
    ]),
  );
}

/** Every missed budget with its value and reason (the row's note). */
export function missesSection(rows: Row[]): string {
  const misses = rows.filter((r) => status(r) === '**FAIL**');
  if (misses.length === 0) return 'None of the measured scenarios misses its budget.';
  return misses
    .map((r) =>
      `- **${r.scenario}** (${r.size}): ${withUnit(r.value as number, r.unit)}, budget ${r.budget?.text}. ${r.note ?? ''}`.trim(),
    )
    .join('\n');
}

export function renderReport(c: ReportContext): string {
  const list = (pairs: [string, string][]) => pairs.map(([k, v]) => `- **${k}**: ${v}`).join('\n');
  const notes = c.rows.filter((r) => r.note && status(r) !== '**FAIL**');
  return [
    `# ${c.title}`,
    '',
    list(c.machine),
    ...(c.warnings.length > 0 ? ['', ...c.warnings.map((w) => `> ⚠ ${w}`)] : []),
    '',
    '## Data',
    '',
    list(c.data),
    '',
    '## Scenarios',
    '',
    'Ratio = value ÷ ceiling (throughput: share of the bare path; latency or cost: times the bare path).',
    '',
    scenarioTable(c.rows),
    '',
    '## Budget misses',
    '',
    missesSection(c.rows),
    ...(notes.length > 0
      ? ['', '## Notes', '', notes.map((r) => `- **${r.scenario}**, ${r.metric}: ${r.note}`).join('\n')]
      : []),
    '',
    '## Ceilings (bare paths, same run, same pinning)',
    '',
    table(
      ['ceiling', 'size', 'metric', 'value', 'how'],
      c.ceilings.map((x) => [x.ceiling, x.size, x.metric, withUnit(x.value, x.unit), x.how]),
    ),
    '',
  ].join('\n');
}
