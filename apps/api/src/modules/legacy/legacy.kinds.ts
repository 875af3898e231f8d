/**
 * The two legacy listeners. Their own file so the listener builder (legacy.app.ts) and the docs
 * plugin it registers (legacy.docs.ts) both read it without importing each other.
 */
export type LegacyKind = 'gateway' | 'backoffice';

export const LEGACY_TITLES: Record<LegacyKind, string> = {
  gateway: 'Diabetify legacy patient gateway',
  backoffice: 'Diabetify legacy back-office gateway',
};
