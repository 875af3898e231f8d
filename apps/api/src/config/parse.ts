/**
 * Small readers shared by the config sections: the boolean and list forms of variables, and the
 * error that carries every problem at once.
 */
import { Type } from 'typebox';

/** The accepted spellings of a boolean variable. */
export const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);

export const DAY_MS = 86_400_000;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function bool(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}

/** A comma-separated list, trimmed, empty items dropped. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Passwords an attacker tries first; refused for production databases and the bootstrap admin. */
export const DEFAULT_PASSWORDS = new Set([
  'admin',
  'password',
  'postgres',
  'changeme',
  'secret',
  'root',
  '123456',
  'diabetify',
]);
