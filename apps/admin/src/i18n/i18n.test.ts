import englishMessages from 'ra-language-english';
import { describe, expect, it } from 'vitest';
import { KNOWN_CODES } from '../api/problem';
import { englishAll } from './en';
import { spanishMessages } from './es';

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('translations', () => {
  it('Spanish has every react-admin key (no English left on a Spanish screen)', () => {
    const missing = keys(englishMessages).filter((k) => !keys(spanishMessages).includes(k));
    expect(missing).toEqual([]);
  });

  it('Spanish and English have the same keys', () => {
    expect(keys(spanishMessages).sort()).toEqual(keys(englishAll).sort());
  });

  it('every Spanish react-admin text is translated (differs from English unless a shared word)', () => {
    const shared = new Set(['No', ' ', '%{name}', '%{name} %{recordRepresentation}', 'Inspector']);
    const en = new Map(Object.entries(flat(englishMessages)));
    const same = Object.entries(flat(spanishMessages)).filter(
      ([k, v]) => k.startsWith('ra.') && en.get(k) === v && !shared.has(v),
    );
    expect(same).toEqual([]);
  });

  it('has a message for every problem code the UI names', () => {
    const es = flat(spanishMessages);
    for (const code of KNOWN_CODES) expect(es[`dfy.errors.${code}`], code).toBeTruthy();
  });
});

function flat(tree: object, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).flatMap(([k, v]) =>
      v && typeof v === 'object' ? Object.entries(flat(v, `${prefix}${k}.`)) : [[`${prefix}${k}`, String(v)]],
    ),
  );
}
