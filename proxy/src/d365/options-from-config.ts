/** Maps the proxy's parsed Config to createD365Client options (config.ts alone reads the environment). */
import { readPem, type Config } from '../config.js';
import type { D365ClientOptions } from './client.js';

type D365Config = Pick<
  Config,
  | 'D365_URL'
  | 'D365_TENANT_ID'
  | 'D365_CLIENT_ID'
  | 'D365_CLIENT_SECRET'
  | 'ENTRA_AUTHORITY_HOST'
  | 'D365_CLIENT_CERT_PATH'
  | 'D365_CLIENT_CERT_THUMBPRINT'
  | 'D365_MAX_CONCURRENCY'
  | 'D365_REQUEST_BUDGET'
  | 'D365_EXECUTION_BUDGET_S'
  | 'D365_BUDGET_WINDOW_S'
  | 'D365_PACKAGE_THRESHOLD'
  | 'D365_BATCH_MAX_OPS'
  | 'D365_TIMEOUT_MS'
  | 'D365_MAX_ATTEMPTS'
>;

type D365Tuning = Pick<
  Config,
  | 'D365_MAX_CONCURRENCY'
  | 'D365_BUDGET_WINDOW_S'
  | 'D365_PACKAGE_THRESHOLD'
  | 'D365_BATCH_MAX_OPS'
  | 'D365_TIMEOUT_MS'
  | 'D365_MAX_ATTEMPTS'
>;

/** The client's required settings from the `D365_*` variables (their defaults are the config schema's). */
export function d365Settings(
  config: D365Tuning,
): Pick<
  D365ClientOptions,
  'maxConcurrency' | 'budgetWindowS' | 'packageThreshold' | 'batchMaxOps' | 'timeoutMs' | 'maxAttempts'
> {
  return {
    maxConcurrency: config.D365_MAX_CONCURRENCY,
    budgetWindowS: config.D365_BUDGET_WINDOW_S,
    packageThreshold: config.D365_PACKAGE_THRESHOLD,
    batchMaxOps: config.D365_BATCH_MAX_OPS,
    timeoutMs: config.D365_TIMEOUT_MS,
    maxAttempts: config.D365_MAX_ATTEMPTS,
  };
}

/** Undefined when F&O is not configured (no URL, tenant, client id or credential). */
export function d365OptionsFromConfig(
  config: D365Config,
  extras: Partial<D365ClientOptions> = {},
): D365ClientOptions | undefined {
  const { D365_URL: url, D365_TENANT_ID: tenantId, D365_CLIENT_ID: clientId } = config;
  if (!url || !tenantId || !clientId) return undefined;
  const certificate =
    config.D365_CLIENT_CERT_PATH && config.D365_CLIENT_CERT_THUMBPRINT
      ? {
          privateKey: readPem(config.D365_CLIENT_CERT_PATH),
          // 40 hex digits = a legacy SHA-1 thumbprint; otherwise SHA-256.
          ...(config.D365_CLIENT_CERT_THUMBPRINT.length === 40
            ? { thumbprint: config.D365_CLIENT_CERT_THUMBPRINT }
            : { thumbprintSha256: config.D365_CLIENT_CERT_THUMBPRINT }),
        }
      : undefined;
  if (!certificate && !config.D365_CLIENT_SECRET) return undefined;
  return {
    url,
    tenantId,
    clientId,
    ...(certificate ? { certificate } : { clientSecret: config.D365_CLIENT_SECRET }),
    authorityHost: config.ENTRA_AUTHORITY_HOST,
    ...d365Settings(config),
    requestBudget: config.D365_REQUEST_BUDGET,
    executionBudgetS: config.D365_EXECUTION_BUDGET_S,
    ...extras,
  };
}
