/**
 * Spanish (default, the clinic's language) and English. react-admin's locale switcher stores the
 * choice under `locale` in the store, which persists it (src/store.ts); the first render reads it.
 */
import polyglotI18nProvider from 'ra-i18n-polyglot';
import { persistedPreference } from '../store';
import { englishAll } from './en';
import { spanishMessages } from './es';

export const LOCALES = [
  { locale: 'es', name: 'Español' },
  { locale: 'en', name: 'English' },
];

export const MESSAGES = { es: spanishMessages, en: englishAll } as const;

export function initialLocale(): 'es' | 'en' {
  const saved = persistedPreference<string>('locale');
  return saved === 'en' ? 'en' : 'es';
}

export function createI18nProvider(locale: 'es' | 'en' = initialLocale()) {
  return polyglotI18nProvider((l) => (l === 'en' ? englishAll : spanishMessages), locale, LOCALES, {
    // A missing key shows itself (and fails the browser suite's untranslated-key check) instead of
    // silently falling back to English.
    allowMissing: false,
  });
}

export const i18nProvider = createI18nProvider();
