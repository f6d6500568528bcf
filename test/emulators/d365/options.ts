/** Options of the F&O emulator and their defaults. */

export type SeedOption = 'demo' | 'empty' | SeedGeneratorSpec;

/** Demo data plus generated extra rows in `usmf` (large sets for benchmarks). */
export interface SeedGeneratorSpec {
  customers?: number;
  products?: number;
  contacts?: number;
  salesOrders?: number;
  invoices?: number;
  /** Seed of the deterministic random generator (default 42). */
  randomSeed?: number;
}

/** Latency per request class in real milliseconds before `timeScale` is applied. */
export interface LatencyConfig {
  /** GET on /data (collection, by key, $count). */
  readMs: number;
  /** POST/PATCH/PUT/DELETE on /data and OData actions. */
  writeMs: number;
  /** Fixed part of a `$batch` request. */
  batchBaseMs: number;
  /** Added per operation inside a `$batch`. */
  batchPerOperationMs: number;
  /** Relative jitter: each delay is multiplied by a uniform factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export type ThrottlingMode = 'off' | 'resource' | 'user';

export interface ThrottlingConfig {
  mode: ThrottlingMode;
  /** Simulated web-server parallelism: requests executing at once; more wait in a queue (off/user) or get 429 (resource). */
  concurrency: number;
  /** resource mode: a request is refused when in-flight work ≥ floor(concurrency × utilisationThreshold). */
  utilisationThreshold: number;
  /**
   * resource mode: how many requests may wait for a slot once the threshold is reached, before
   * the next is refused (default 0: refused at once, as F&O's documentation reads). Above 0 the
   * AOS queues a little work first, so its latency rises before it throttles — an assumption (F&O
   * documents only the thresholds), the one the issue that asked for a latency-led governor made.
   */
  queueDepth: number;
  /** resource mode: Retry-After (seconds, before timeScale) of a first refusal. */
  retryAfterS: number;
  /** resource mode: Retry-After doubles for each request a client sends while still throttled, up to this cap. */
  maxRetryAfterS: number;
  /** user mode (legacy, per client id): requests per window. */
  userRequestLimit: number;
  /** user mode: combined execution seconds per window. */
  userExecutionLimitS: number;
  /** user mode: concurrent requests. */
  userConcurrencyLimit: number;
  /** user mode: sliding window in seconds (before timeScale). */
  userWindowS: number;
}

export interface FaultConfig {
  /** The next `count` /data requests answer `status` (default 503) without doing anything. */
  fail5xx?: { count: number; status?: number; retryAfterS?: number };
  /** The next `count` /data requests get their socket destroyed without an answer (nothing done). */
  dropConnection?: { count: number };
  /** The next `count` POST/$batch requests (optionally only for one entity set) commit, then the socket is destroyed. */
  commitNoAnswer?: { count: number; entity?: string };
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

export interface D365EmulatorOptions {
  port?: number;
  /** `false` disables the https listener. */
  httpsPort?: number | false;
  host?: string;
  seed?: SeedOption;
  pageSize?: number;
  timeScale?: number;
  latency?: Partial<LatencyConfig>;
  tokenLifetimeS?: number;
  throttling?: Partial<ThrottlingConfig>;
  /** `true` logs with pino at info level; or pass a pino-compatible logger. */
  logger?: boolean | Logger;
  /**
   * Custom string fields an installation added, per entity set, e.g.
   * `{ CustomersV3: ['SalesforceId'] }` (see `extendSchema`: they exist for the whole process).
   */
  extensionFields?: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_LATENCY: LatencyConfig = {
  readMs: 20,
  writeMs: 60,
  batchBaseMs: 20,
  batchPerOperationMs: 40,
  jitter: 0.25,
};

export const DEFAULT_THROTTLING: ThrottlingConfig = {
  mode: 'off',
  concurrency: 16,
  utilisationThreshold: 0.75,
  queueDepth: 0,
  retryAfterS: 10,
  maxRetryAfterS: 300,
  // Values documented for the legacy user-based limits (reference §4).
  userRequestLimit: 6000,
  userExecutionLimitS: 1200,
  userConcurrencyLimit: 52,
  userWindowS: 300,
};

export const TENANT_ID = 'bridge-tenant';
export const CLIENT_ID = 'bridge-demo';
export const CLIENT_SECRET = 'bridge-demo-secret';
export const DEFAULT_COMPANY = 'usmf';
