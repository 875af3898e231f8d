/**
 * react-admin's store, in memory, except the user's display preferences (language, theme, glucose
 * unit), which survive a reload through localStorage. Everything else react-admin keeps there —
 * list filters (a searched DNI or name), selections — stays in memory: patient data never lands in
 * the browser's persistent storage.
 */
import { memoryStore, type Store } from 'react-admin';

export const PERSISTED_KEYS = ['locale', 'theme', 'dfy.glucoseUnit'] as const;
const PREFIX = 'diabetify.pref.';

function readPersisted(storage: Storage | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!storage) return out;
  for (const key of PERSISTED_KEYS) {
    const raw = storage.getItem(PREFIX + key);
    if (raw === null) continue;
    try {
      out[key] = JSON.parse(raw);
    } catch {
      storage.removeItem(PREFIX + key);
    }
  }
  return out;
}

function browserStorage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

/** A preference read outside React (the i18n provider's first language). */
export function persistedPreference<T>(key: (typeof PERSISTED_KEYS)[number]): T | undefined {
  return readPersisted(browserStorage())[key] as T | undefined;
}

export function createStore(storage: Storage | undefined = browserStorage()): Store {
  const inner = memoryStore(readPersisted(storage));
  const persisted = new Set<string>(PERSISTED_KEYS);
  return {
    ...inner,
    setItem(key, value) {
      inner.setItem(key, value);
      if (storage && persisted.has(key)) storage.setItem(PREFIX + key, JSON.stringify(value));
    },
    removeItem(key) {
      inner.removeItem(key);
      if (storage && persisted.has(key)) storage.removeItem(PREFIX + key);
    },
    // Signing out resets the store: keep the preferences, which belong to the device, not the session.
    reset() {
      inner.reset();
      for (const [key, value] of Object.entries(readPersisted(storage))) inner.setItem(key, value);
    },
  };
}
