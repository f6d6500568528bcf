import type { SfRecord } from './data/store.js';
import type { FaultSpec } from './faults.js';
import type { FieldAccess } from './metadata/types.js';
import type { SeedName } from './options.js';
import type { EmulatorState } from './state.js';

/** Test/sandbox control of the emulator; the same operations exist over HTTP under `/_emulator`. */
export interface SalesforceEmulatorControl {
  /** Clears all data (and bulk jobs, cursors, events) and seeds again (default: the start seed). */
  reset(seed?: SeedName): void;
  /** All records of an object, raw stored values (every field, FLS ignored). */
  records(object: string): SfRecord[];
  record(object: string, id: string): SfRecord | undefined;
  /** Stores records as given, without validation (Id assigned when missing). */
  putRecords(object: string, records: SfRecord[]): SfRecord[];
  /** API usage and calls by kind (`token` counts successful grants). */
  counters(): EmulatorCounters;
  /** Sets every counter (by kind, grants) to 0; `apiUsed` too unless `keepUsage`. */
  resetCounters(options?: { keepUsage?: boolean }): void;
  /** Invalidates every access token; returns how many there were. */
  expireSessions(): number;
  setFieldAccess(object: string, field: string, access: FieldAccess): void;
  resetFieldAccess(): void;
  /** API budget, concurrent long-running cap and Bulk API processing speed (rows per second). */
  setLimits(
    limits: Partial<{
      dailyApiLimit: number;
      apiUsed: number;
      maxConcurrentLongRunning: number;
      longRunningMs: number;
      bulkRowsPerSecond: number;
    }>,
  ): void;
  setLatency(ms: number): void;
  setAuth(auth: Partial<{ preauthorized: boolean; appEnabled: boolean }>): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Published platform events, oldest first. */
  events(): Array<{ object: string; id: string; payload: SfRecord; publishedAt: string }>;
  /** Objects and custom fields read from force-app. */
  loadedMetadata(): { objects: string[]; fields: string[] };
}

export interface EmulatorCounters {
  apiUsed: number;
  dailyApiLimit: number;
  /** REST API calls by kind: sobject, upsert, collections, query, bulk, limits, describe, event, other. */
  byKind: Record<string, number>;
  /** Successful and failed token requests. */
  tokenGrants: number;
  tokenFailures: number;
}

export function createControl(state: EmulatorState): SalesforceEmulatorControl {
  const def = (object: string) => {
    const d = state.schema.object(object);
    if (!d) throw new Error(`Unknown object ${object}`);
    return d;
  };
  return {
    reset: (seed) => state.reset(seed ?? state.options.seed),
    records: (object) => state.store.all(def(object)).map((r) => ({ ...r })),
    record: (object, id) => {
      const r = state.store.get(def(object), id);
      return r ? { ...r } : undefined;
    },
    putRecords: (object, records) => records.map((r) => state.store.putRaw(def(object), r)),
    counters: () => ({
      apiUsed: state.usage.apiUsed,
      dailyApiLimit: state.usage.dailyApiLimit,
      byKind: Object.fromEntries(state.counters),
      tokenGrants: state.auth.tokenGrants,
      tokenFailures: state.auth.tokenFailures,
    }),
    resetCounters: (options) => {
      state.counters.clear();
      state.auth.tokenGrants = 0;
      state.auth.tokenFailures = 0;
      if (!options?.keepUsage) state.usage.apiUsed = 0;
    },
    expireSessions: () => state.sessions.expireAll(),
    setFieldAccess: (object, field, access) => state.schema.setAccess(object, field, access),
    resetFieldAccess: () => state.schema.resetAccess(),
    setLimits: ({ bulkRowsPerSecond, ...limits }) => {
      Object.assign(
        state.usage,
        Object.fromEntries(Object.entries(limits).filter(([, v]) => typeof v === 'number')),
      );
      if (typeof bulkRowsPerSecond === 'number') state.bulk.config.rowsPerSecond = bulkRowsPerSecond;
    },
    setLatency: (ms) => {
      state.usage.latencyMs = ms;
    },
    setAuth: (auth) => {
      if (auth.preauthorized !== undefined) state.auth.preauthorized = auth.preauthorized;
      if (auth.appEnabled !== undefined) state.auth.appEnabled = auth.appEnabled;
    },
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    events: () => state.store.events.map((e) => ({ ...e })),
    loadedMetadata: () => ({
      objects: [...state.schema.loaded.objects],
      fields: [...state.schema.loaded.fields],
    }),
  };
}
