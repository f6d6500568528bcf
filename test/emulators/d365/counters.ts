/** Request accounting exposed through control.counters(). */

export interface Counters {
  requests: {
    total: number;
    byEntity: Record<string, number>;
    byStatus: Record<string, number>;
    byMethod: Record<string, number>;
  };
  throttled429: number;
  tokensIssued: number;
  unauthorized401: number;
  peakConcurrency: number;
  inFlight: number;
  queued: number;
  batchRequests: number;
  batchOperations: number;
  packageImports: number;
  packageExports: number;
  blobUploads: number;
  businessEventsDelivered: number;
  businessEventsFailed: number;
  faultsInjected: number;
  /** Sum of execution time (ms, real) of /data requests. */
  executionMs: number;
}

export function emptyCounters(): Counters {
  return {
    requests: { total: 0, byEntity: {}, byStatus: {}, byMethod: {} },
    throttled429: 0,
    tokensIssued: 0,
    unauthorized401: 0,
    peakConcurrency: 0,
    inFlight: 0,
    queued: 0,
    batchRequests: 0,
    batchOperations: 0,
    packageImports: 0,
    packageExports: 0,
    blobUploads: 0,
    businessEventsDelivered: 0,
    businessEventsFailed: 0,
    faultsInjected: 0,
    executionMs: 0,
  };
}

export function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}
