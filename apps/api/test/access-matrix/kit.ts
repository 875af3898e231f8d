/**
 * Shared vocabulary of the access matrix (`src/access-matrix.test.ts`). Each capability keeps its
 * rows in its own file here, so parallel work on different modules never edits one table.
 */
import type { FastifyInstance } from 'fastify';
import type { DbHandle } from '../../src/db/client.js';

export type Actor = 'anonymous' | 'patientA' | 'patientB' | 'deviceA' | 'assistant' | 'clinician' | 'admin';
export const ACTORS: Actor[] = ['anonymous', 'patientA', 'patientB', 'deviceA', 'assistant', 'clinician', 'admin'];

export interface World {
  patientA: number;
  patientB: number;
  patientC: number;
  clinician: number;
  /** For cells that prepare a record per actor (e.g. a fresh pending request to decide). */
  app: FastifyInstance;
  db: DbHandle;
}

export interface Cell {
  /** May prepare data first; called once per actor, before that actor's request. */
  url: (w: World, actor: Actor) => string | Promise<string>;
  body?: (w: World, actor: Actor) => unknown;
  headers?: (w: World, actor: Actor) => Record<string, string>;
  expect: Record<Actor, number>;
}

export type Rows = Record<string, Cell>;

/** Shorthands for the common rows. */
export const row = (
  anonymous: number,
  patients: number,
  deviceA: number,
  assistant: number,
  clinician: number,
  admin: number,
) =>
  ({ anonymous, patientA: patients, patientB: patients, deviceA, assistant, clinician, admin }) as Record<
    Actor,
    number
  >;
export const everyone = (status: number) => row(status, status, status, status, status, status);
export const anyAuthenticated = (status: number) => row(401, status, 401, status, status, status);
export const adminOnly = (status: number) => row(401, 401, 401, 403, 403, status);
export const staffOnly = (status: number) => row(401, 401, 401, status, status, status);
/** Patient A's own record: A and staff succeed, B is told it does not exist. */
export const ownOrStaff = (ok: number, device = 401) =>
  ({ anonymous: 401, patientA: ok, patientB: 404, deviceA: device, assistant: ok, clinician: ok, admin: ok }) as Record<
    Actor,
    number
  >;

let n = 0;
export const uniq = () => `${Date.now() % 100000}${++n}`;
