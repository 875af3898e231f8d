import type { DbHandle } from '../client.js';

export interface SeedOptions {
  patients: number;
  days: number;
  seed: number;
  progress: boolean;
  timezone: string;
}

export interface SeedResult {
  staff: number;
  patients: number;
  readings: number;
  ms: number;
}

export async function seedDemoClinic(_handle: DbHandle, _options: SeedOptions): Promise<SeedResult> {
  throw new Error('seed: not implemented yet');
}
