/**
 * The unit the signed-in staff member reads glucose in. Staff accounts have no unit preference on
 * the server (only patients do), so it is a per-device display preference, remembered in the store
 * like the language. Values are always sent to and received from the API in mg/dL.
 */
import { useStore } from 'react-admin';
import type { GlucoseUnit } from './units';

export const GLUCOSE_UNIT_KEY = 'dfy.glucoseUnit';

export function useGlucoseUnit(): [GlucoseUnit, (unit: GlucoseUnit) => void] {
  const [unit, setUnit] = useStore<GlucoseUnit>(GLUCOSE_UNIT_KEY, 'mg/dL');
  return [unit === 'mmol/L' ? 'mmol/L' : 'mg/dL', setUnit];
}
