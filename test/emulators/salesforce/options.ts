/** Options of the Salesforce emulator and their defaults (docs/emulators/salesforce.md). */

export type SeedName = 'demo' | 'empty';

export interface SalesforceEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** SFDX package folder whose `objects/**` metadata defines custom objects and fields. */
  forceAppDir?: string;
  /** Package namespace ('' = unmanaged/dev org); prefixes the package's API names. */
  namespace?: string;
  /** The connected app's registered certificate (or public key) PEM; generated when absent. */
  certificatePem?: string;
  seed?: SeedName;
  /** DailyApiRequests Max (default 100000). */
  dailyApiLimit?: number;
  /** Added to every REST call (ms). */
  latencyMs?: number;
  apiVersion?: string;
  /** Concurrent long-running request cap (Salesforce: 25 requests running ≥ 20 s). */
  maxConcurrentLongRunning?: number;
  longRunningMs?: number;
  /** Bulk API 2.0 processing speed (rows per second) and queue delay before InProgress. */
  bulkRowsPerSecond?: number;
  bulkQueueDelayMs?: number;
  /** Fastify logger on/off (default off). */
  logger?: boolean;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  forceAppDir: string;
  namespace: string;
  seed: SeedName;
  dailyApiLimit: number;
  latencyMs: number;
  apiVersion: string;
  maxConcurrentLongRunning: number;
  longRunningMs: number;
  bulkRowsPerSecond: number;
  bulkQueueDelayMs: number;
  logger: boolean;
}

export const CONSUMER_KEY = 'bridge-demo';
export const INTEGRATION_USERNAME = 'integration@bridge.example';
export const DEFAULT_PORT = 4020;

export function resolveOptions(options: SalesforceEmulatorOptions, defaultForceApp: string): ResolvedOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    forceAppDir: options.forceAppDir ?? defaultForceApp,
    namespace: options.namespace ?? '',
    seed: options.seed ?? 'demo',
    dailyApiLimit: options.dailyApiLimit ?? 100_000,
    latencyMs: options.latencyMs ?? 0,
    apiVersion: options.apiVersion ?? '62.0',
    maxConcurrentLongRunning: options.maxConcurrentLongRunning ?? 25,
    longRunningMs: options.longRunningMs ?? 20_000,
    bulkRowsPerSecond: options.bulkRowsPerSecond ?? 200_000,
    bulkQueueDelayMs: options.bulkQueueDelayMs ?? 50,
    logger: options.logger ?? false,
  };
}
