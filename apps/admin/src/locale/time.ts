/**
 * Dates and times in the clinic's timezone, with the zone shown (issue 13 item 7): a clinician in
 * another zone still reads the clinic's clock. The server's CLINIC_TIMEZONE is not in the API, so the
 * server may announce it in index.html as `<meta name="diabetify-clinic-timezone" content="…">`;
 * without it the clinic's documented default applies (the same default as the server's config).
 */
export const DEFAULT_CLINIC_TIMEZONE = 'America/Argentina/Buenos_Aires';

function validZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function clinicTimezone(doc: Document | undefined = typeof document === 'undefined' ? undefined : document) {
  const announced = doc?.querySelector('meta[name="diabetify-clinic-timezone"]')?.getAttribute('content');
  return validZone(announced) ? announced : DEFAULT_CLINIC_TIMEZONE;
}

const BCP47: Record<string, string> = { es: 'es-AR', en: 'en-GB' };
export const intlLocale = (locale: string) => BCP47[locale] ?? locale;

/** "06/12/2026, 14:05 (ART)" — date, 24-hour time and the zone's short name. */
export function formatDateTime(value: string | Date | null | undefined, locale: string, timeZone = clinicTimezone()) {
  if (value === null || value === undefined || value === '') return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  const text = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${text} (${zoneName(date, locale, timeZone)})`;
}

/** A calendar date (YYYY-MM-DD, no time, no zone) in the user's locale. */
export function formatDate(value: string | null | undefined, locale: string) {
  if (!value) return '—';
  const [y, m, d] = value.split('-').map(Number);
  if (!y || !m || !d) return value;
  return new Intl.DateTimeFormat(intlLocale(locale), { timeZone: 'UTC', dateStyle: 'medium' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export function zoneName(date: Date, locale: string, timeZone = clinicTimezone()) {
  const part = new Intl.DateTimeFormat(intlLocale(locale), { timeZone, timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}
