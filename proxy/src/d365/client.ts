/**
 * `createD365Client(options)` ties the parts together for one F&O environment:
 * token cache (MSAL underneath) → governor → transport (retries) → OData / $batch / DMF.
 * Plain typed options; only proxy/src/config.ts reads the environment (see `d365OptionsFromConfig`).
 */
import type { Registry } from 'prom-client';
import { BatchClient } from './batch/batch-client.js';
import { BulkWriter } from './bulk-write.js';
import { PackageClient, type PackageClientOptions } from './dmf/package-client.js';
import { Governor, type GovernorOptions } from './governor/governor.js';
import { createUpstreamMetrics } from '../upstream-metrics.js';
import type { SharedPauseState } from './governor/shared-pause.js';
import { ODataClient } from './odata/odata-client.js';
import { checkReadiness, type D365Readiness } from './readiness.js';
import { audienceCheck, normaliseD365Url, type AudienceCheck } from './token/audience.js';
import { createMsalFetcher, type CertificateCredential } from './token/msal-fetcher.js';
import { TokenCache, type TokenFetcher, type TokenStatus } from './token/token-cache.js';
import { D365Transport } from './transport.js';

export interface D365Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface D365ClientOptions {
  /** The environment URL, e.g. `https://contoso.operations.dynamics.com` (normalised here). */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificate?: CertificateCredential;
  /** `https://login.microsoftonline.com` unless you run a sovereign cloud or an emulator. */
  authorityHost?: string;
  /** Tests: keep the https authority but post tokens to this endpoint (e.g. the emulator's http URL). */
  authorityMetadataOverride?: { tokenEndpoint: string };
  /** Replace MSAL entirely (tests, or a managed-identity source). */
  tokenFetcher?: TokenFetcher;
  // Required settings: their defaults live once, in the config schema (`D365_*` in config.ts);
  // d365OptionsFromConfig / d365Settings pass them in.
  /** D365_MAX_CONCURRENCY. */
  maxConcurrency: number;
  /** Where the governor starts before it climbs (the governor's own default when unset). */
  initialConcurrency?: number;
  requestBudget?: number;
  executionBudgetS?: number;
  /** D365_BUDGET_WINDOW_S. */
  budgetWindowS: number;
  /** D365_PACKAGE_THRESHOLD. */
  packageThreshold: number;
  /** D365_BATCH_MAX_OPS. */
  batchMaxOps: number;
  /** D365_TIMEOUT_MS: per-attempt timeout of an OData call. */
  timeoutMs: number;
  /** Total time of one logical call including retries and throttle waits (default 3 × timeoutMs). */
  totalDeadlineMs?: number;
  /** D365_MAX_ATTEMPTS. */
  maxAttempts: number;
  retryBaseDelayMs?: number;
  sharedPause?: SharedPauseState;
  registry?: Registry;
  logger?: D365Logger;
  /** Fine-tuning of the governor (aging, reserve, probe interval, jitter…). */
  governor?: Partial<Omit<GovernorOptions, 'environment'>>;
  packagePolling?: PackageClientOptions;
  /** Clock of the token cache (tests and benchmarks simulate hours with it). */
  now?: () => number;
}

export interface D365TokenApi {
  getToken(): Promise<string>;
  invalidate(token?: string): void;
  status(): TokenStatus;
  /** Decode the held (or a fresh) token's `aud` and compare it with the normalised D365_URL. */
  audienceCheck(): Promise<AudienceCheck>;
}

export interface D365Client {
  /** Normalised environment URL. */
  readonly url: string;
  readonly odata: ODataClient;
  readonly batch: BatchClient;
  readonly packages: PackageClient;
  readonly bulk: BulkWriter;
  readonly governor: Governor;
  readonly token: D365TokenApi;
  readonly transport: D365Transport;
  readiness(): Promise<D365Readiness>;
  close(): Promise<void>;
}

export function createD365Client(options: D365ClientOptions): D365Client {
  const url = normaliseD365Url(options.url);
  const tokens = new TokenCache({
    fetch:
      options.tokenFetcher ??
      createMsalFetcher({
        tenantId: options.tenantId,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        certificate: options.certificate,
        authorityHost: options.authorityHost ?? 'https://login.microsoftonline.com',
        resource: url,
        tokenEndpointOverride: options.authorityMetadataOverride?.tokenEndpoint,
      }),
    now: options.now,
    logger: options.logger,
  });
  const windowMs = options.budgetWindowS * 1000;
  const governor = new Governor({
    environment: url,
    maxConcurrency: options.maxConcurrency,
    initialConcurrency: options.initialConcurrency,
    requestBudget: options.requestBudget,
    executionBudgetMs: options.executionBudgetS === undefined ? undefined : options.executionBudgetS * 1000,
    budgetWindowMs: windowMs,
    sharedPause: options.sharedPause,
    registry: options.registry,
    logger: options.logger,
    ...options.governor,
  });
  const timeoutMs = options.timeoutMs;
  const transport = new D365Transport({
    url,
    governor,
    tokens,
    timeoutMs,
    totalDeadlineMs: options.totalDeadlineMs,
    retry: {
      maxAttempts: options.maxAttempts,
      ...(options.retryBaseDelayMs !== undefined ? { baseDelayMs: options.retryBaseDelayMs } : {}),
    },
    maxSockets: Math.max(8, options.maxConcurrency + 8),
    logger: options.logger,
    metrics: createUpstreamMetrics(options.registry, 'd365'),
  });
  const odata = new ODataClient(transport);
  const batch = new BatchClient(transport, {
    maxOperations: Math.min(5000, options.batchMaxOps),
    baseTimeoutMs: timeoutMs,
  });
  const packages = new PackageClient(odata, transport, options.packagePolling);
  const bulk = new BulkWriter(batch, packages, options.packageThreshold);
  return {
    url,
    odata,
    batch,
    packages,
    bulk,
    governor,
    transport,
    token: {
      getToken: () => tokens.getToken(),
      invalidate: (t) => tokens.invalidate(t),
      status: () => tokens.status(),
      audienceCheck: async () => audienceCheck(tokens.peek() ?? (await tokens.getToken()), url),
    },
    readiness: () => checkReadiness(tokens, governor, url),
    async close() {
      governor.close();
      transport.close();
    },
  };
}
