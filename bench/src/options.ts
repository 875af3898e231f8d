/** Command line of `npm run bench -- [options]`: a profile, then any override. */
import { parseArgs } from 'node:util';

export const SCENARIOS = {
  http: 'HTTP ceiling and the anonymous no-op route of the real app',
  auth: 'token verification overhead (authenticated vs anonymous no-op, keys.verify)',
  login: 'POST /v1/auth/login (argon2id) and event-loop responsiveness meanwhile',
  rss: 'server idle RSS',
  page: 'one page of readings: GET /v1/patients/:id/readings next to the bare keyset query, at each size',
  sync: 'batch sync of 1,000 readings with 10 % duplicates: POST /v1/readings/batch next to the bare insert',
  stats: '14- and 90-day statistics of a CGM patient: the API next to the bare SQL aggregate',
  agp: 'ambulatory glucose profile: the API next to the bare SQL aggregate',
  triage: 'triage over all patients (GET /v1/triage, at the largest size)',
  export: 'CSV export of 1M readings (server RSS growth while streaming)',
  queue: 'queue storm: 1,000 concurrent submits at capacity 50, then accepting the admitted',
  legacy: 'legacy GET /glucose/mine for a patient with 100k readings',
} as const;
export type ScenarioId = keyof typeof SCENARIOS;

export interface Options {
  profile: 'quick' | 'full';
  sizes: number[];
  scenarios: Set<ScenarioId>;
  durationMs: number;
  warmupMs: number;
  connections: number;
  loginConnections: number;
  /** Fixed arrival rate of the page-at-rate phase (the budget's 1,000 req/s). */
  pageRate: number;
  days: number;
  seed: number;
  now: Date;
  databaseUrl: string;
  redisUrl: string | null;
  /** Also run the smallest size on embedded PGlite. */
  pglite: boolean;
  logLevel: string;
  pin: boolean;
  keepDb: boolean;
  out: string | null;
  updateReadme: boolean;
  help: boolean;
}

const PROFILES = {
  quick: { sizes: [100_000, 1_000_000], duration: 10, warmup: 2 },
  full: { sizes: [100_000, 1_000_000, 10_000_000], duration: 30, warmup: 5 },
} as const;

export const USAGE = `Usage: npm run bench -- [options]

  --profile quick|full      quick (default): 100k and 1M readings, 10 s phases (a few minutes);
                            full: 100k, 1M and 10M readings, 30 s phases
  --sizes 100k,1M,10M       readings in the table, measured in increasing order
  --scenarios a,b,…         subset of: ${Object.keys(SCENARIOS).join(', ')}
  --duration S              seconds per measured load phase (after warm-up)
  --warmup S                seconds of unmeasured warm-up before each phase
  --connections N           HTTP connections / in-flight queries (default 10)
  --login-connections N     connections of the login scenario (default 8)
  --page-rate N             arrival rate of the page-at-rate phase (default 1000/s)
  --days D                  days of readings per patient (default 90: the 90-day statistics need them)
  --seed S                  data generator seed (default 42)
  --now ISO                 end of the data window (default: today 00:00 UTC)
  --database-url URL        PostgreSQL server to create the throwaway database on
                            (default $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --redis URL               run the server with Redis (default $BENCH_REDIS_URL; unset = single instance)
  --pglite                  also run the scenarios on embedded PGlite, at the smallest size
  --log-level L             server log level, written to /dev/null (default info, as in production)
  --no-pin                  do not pin processes to CPUs with taskset
  --keep-db                 keep the database afterwards (its name is printed)
  --out FILE                report path (default bench/results/<date>-<profile>.md)
  --update-readme           also put the table into bench/README.md (for full-profile runs)`;

export function parseSize(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (use 100k, 1M, 10M or a number)`);
  const mult = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2] as string] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string', default: 'quick' },
      sizes: { type: 'string' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'login-connections': { type: 'string' },
      'page-rate': { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      now: { type: 'string' },
      'database-url': { type: 'string' },
      redis: { type: 'string' },
      pglite: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'no-pin': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      out: { type: 'string' },
      'update-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const profileName = values.profile;
  if (profileName !== 'quick' && profileName !== 'full') throw new Error('--profile must be quick or full');
  const profile = PROFILES[profileName];
  const scenarios = new Set<ScenarioId>();
  for (const s of (values.scenarios ?? Object.keys(SCENARIOS).join(',')).split(',')) {
    const id = s.trim();
    if (!(id in SCENARIOS)) throw new Error(`unknown scenario ${id}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    scenarios.add(id as ScenarioId);
  }
  const sizes = values.sizes ? values.sizes.split(',').map(parseSize) : [...profile.sizes];
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const now = values.now ? new Date(values.now) : today;
  if (Number.isNaN(now.getTime())) throw new Error('--now must be an ISO date');
  return {
    profile: profileName,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    scenarios,
    durationMs: (positive(values.duration, 'duration') ?? profile.duration) * 1000,
    warmupMs: (values.warmup === '0' ? 0 : (positive(values.warmup, 'warmup') ?? profile.warmup)) * 1000,
    connections: Math.round(positive(values.connections, 'connections') ?? 10),
    loginConnections: Math.round(positive(values['login-connections'], 'login-connections') ?? 8),
    pageRate: positive(values['page-rate'], 'page-rate') ?? 1000,
    days: Math.round(positive(values.days, 'days') ?? 90),
    seed: Math.round(positive(values.seed, 'seed') ?? 42),
    now,
    databaseUrl: values['database-url'] ?? env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values.redis ?? env.BENCH_REDIS_URL ?? null,
    pglite: values.pglite,
    logLevel: values['log-level'],
    pin: !values['no-pin'],
    keepDb: values['keep-db'],
    out: values.out ?? null,
    updateReadme: values['update-readme'],
    help: values.help,
  };
}
