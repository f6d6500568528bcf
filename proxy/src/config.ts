/**
 * Every environment variable the proxy reads, in one zod schema. Nothing else reads
 * `process.env`. A bad or missing value stops the process with one message listing every
 * problem and its variable (see `formatConfigError`).
 *
 * docs/configuration.md and the README table list the same variables; a test keeps them in step.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `""` in an env file means "not set": treat blank strings as absent so defaults apply. */
const blankAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optionalString = () => z.preprocess(blankAsUndefined, z.string().optional());
export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankAsUndefined, z.coerce.number().int().min(min).max(max).default(def));
export const optionalInt = (min = 0) =>
  z.preprocess(blankAsUndefined, z.coerce.number().int().min(min).optional());
/** `true`/`false` (also `1`/`0`, `yes`/`no`); absent stays undefined so the caller picks the default. */
export const optionalBool = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .optional(),
  );
export const csv = () =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(z.string()).default([]),
  );

/** An https/http URL, normalised to lower case without a trailing slash (F&O audiences must match exactly). */
const normalisedUrl = () =>
  z.preprocess(
    blankAsUndefined,
    z
      .url({ protocol: /^https?$/ })
      .transform((u) => normaliseUrl(u))
      .optional(),
  );

export function normaliseUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

/** `sqlite:<path>` or `postgres://…` / `postgresql://…`. */
const storeUrl = z
  .preprocess(blankAsUndefined, z.string().default('sqlite:./data/bridge.db'))
  .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
    message: 'must be sqlite:<path> or postgres://user@host:port/database',
  });

/** A PEM given inline (with \n escapes allowed) or a path to a PEM file. */
export function readPem(value: string): string {
  const inline = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : undefined;
  if (inline) return inline;
  if (!existsSync(value)) throw new Error(`no PEM text and no file at "${value}"`);
  return readFileSync(value, 'utf8');
}

const pem = () =>
  z.preprocess(
    blankAsUndefined,
    z
      .string()
      .transform((v, ctx) => {
        try {
          return readPem(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
  );

export const configSchema = z
  .object({
    // ── process ────────────────────────────────────────────────────────────────────────
    NODE_ENV: z.preprocess(
      blankAsUndefined,
      z.enum(['development', 'production', 'test']).default('development'),
    ),
    PORT: int(8080, 0, 65535),
    HOST: z.preprocess(blankAsUndefined, z.string().default('0.0.0.0')),
    LOG_LEVEL: z.preprocess(blankAsUndefined, z.enum(LOG_LEVELS).default('info')),
    /** `pretty` for people (the sandbox), `json` for log collectors (production default). */
    LOG_FORMAT: z.preprocess(blankAsUndefined, z.enum(['json', 'pretty']).default('json')),
    SHUTDOWN_GRACE_MS: int(10_000, 100),
    BODY_LIMIT_BYTES: int(5 * 1024 * 1024, 1024),
    /** Longer than the idle timeout of the load balancer in front, so it closes idle connections first. */
    KEEP_ALIVE_TIMEOUT_MS: int(72_000, 1000),
    /** Load shedding: 503 + Retry-After when the event loop lags more than this (0 disables). */
    MAX_EVENT_LOOP_DELAY_MS: int(1000, 0),

    // ── storage ────────────────────────────────────────────────────────────────────────
    STORE_URL: storeUrl,

    // ── durable jobs (proxy/src/jobs; docs/jobs.md) ────────────────────────────────────
    JOB_MAX_ATTEMPTS: int(8, 1, 100),
    JOB_MAX_AGE_H: int(72, 1),
    JOB_LEASE_S: int(60, 5),
    JOB_CONCURRENCY: int(64, 1, 256),
    JOB_RETENTION_H: int(24, 0),
    JOB_POLL_MS: int(250, 10, 60_000),
    JOB_MAX_PAYLOAD_BYTES: int(1024 * 1024, 1024),

    // ── flow 6: invoices (F&O → Salesforce) ────────────────────────────────────────────
    /** When the invoice sweep runs (cron, UTC), or `off`: it upserts what business events missed. */
    INVOICE_SWEEP_CRON: z.preprocess(blankAsUndefined, z.string().default('17 * * * *')),
    /** How many days back the scheduled sweep looks (invoice date). */
    INVOICE_SWEEP_DAYS: int(7, 1, 3650),
    /** How long an invoice from an event waits for others to share one Salesforce batch. */
    INVOICE_BATCH_MS: int(1000, 0, 10_000),

    // ── inbound authentication ─────────────────────────────────────────────────────────
    INBOUND_JWT_CERT: pem(),
    INBOUND_JWT_ISSUER: optionalString(),
    INBOUND_JWT_AUDIENCE: optionalString(),
    INBOUND_JWT_CLOCK_SKEW_S: int(60, 0, 600),
    INBOUND_API_KEYS: csv(),
    ADMIN_API_KEYS: csv(),
    /** Keys F&O's business-event endpoint puts in its URL (`/v1/events/d365/<key>`); several while rotating. */
    D365_EVENT_KEYS: csv(),
    /** `/metrics` without a credential; unset = public in development, admin-only in production. */
    METRICS_PUBLIC: optionalBool(),
    /** `/docs` (Swagger UI, OpenAPI JSON) without a credential; same default as METRICS_PUBLIC. */
    DOCS_PUBLIC: optionalBool(),

    // ── F&O (Entra ID app registration) ────────────────────────────────────────────────
    D365_URL: normalisedUrl(),
    D365_TENANT_ID: optionalString(),
    D365_CLIENT_ID: optionalString(),
    D365_CLIENT_SECRET: optionalString(),
    ENTRA_AUTHORITY_HOST: z.preprocess(
      blankAsUndefined,
      z
        .url({ protocol: /^https$/ })
        .default('https://login.microsoftonline.com')
        .transform((u) => u.replace(/\/+$/, '')),
    ),

    // ── F&O client (proxy/src/d365): certificate credential, governor, retries, volume routing ──
    /** PEM (inline or a path) holding the certificate's private key; with D365_CLIENT_CERT_THUMBPRINT replaces the secret. */
    D365_CLIENT_CERT_PATH: optionalString(),
    /** Hex SHA-256 thumbprint of that certificate (as shown in Entra ID). */
    D365_CLIENT_CERT_THUMBPRINT: z.preprocess(
      blankAsUndefined,
      z
        .string()
        .regex(/^[0-9A-Fa-f:]{40,95}$/, 'must be a hex thumbprint')
        .transform((v) => v.replace(/:/g, '').toUpperCase())
        .optional(),
    ),
    D365_MAX_CONCURRENCY: int(52, 1, 1000),
    D365_REQUEST_BUDGET: optionalInt(1),
    D365_EXECUTION_BUDGET_S: optionalInt(1),
    D365_BUDGET_WINDOW_S: int(300, 1),
    D365_PACKAGE_THRESHOLD: int(1000, 0),
    D365_BATCH_MAX_OPS: int(5000, 1, 5000),
    D365_TIMEOUT_MS: int(60_000, 1000),
    D365_MAX_ATTEMPTS: int(5, 1, 20),

    // ── Salesforce (connected app, JWT bearer) ─────────────────────────────────────────
    SF_LOGIN_URL: z.preprocess(
      blankAsUndefined,
      z
        .url({ protocol: /^https?$/ })
        .default('https://login.salesforce.com')
        .transform((u) => u.replace(/\/+$/, '')),
    ),
    SF_CLIENT_ID: optionalString(),
    SF_USERNAME: optionalString(),
    SF_PRIVATE_KEY: pem(),
    SF_API_VERSION: z.preprocess(
      blankAsUndefined,
      z
        .string()
        .regex(/^\d{2,3}\.0$/, 'must look like 62.0')
        .default('62.0'),
    ),
    SF_NAMESPACE: z.preprocess(
      (v) => (v === undefined ? '' : v),
      z
        .string()
        .regex(/^([A-Za-z][A-Za-z0-9]{0,14})?$/, 'must be empty or a namespace prefix like fobridge')
        .default(''),
    ),
    // Salesforce client volume routing and API budget (proxy/src/salesforce; docs/salesforce-client.md)
    /** Record sets larger than this are written with Bulk API 2.0 instead of sObject Collections (and read so by reconciliation). */
    SF_BULK_THRESHOLD: int(2000, 0),
    /** Background work pauses while fewer than this % of the daily API requests remain. */
    SF_API_FLOOR_PCT: int(10, 0, 100),

    // ── live inventory (flow 5) ────────────────────────────────────────────────────────
    INVENTORY_TTL_S: int(30, 0, 3600),
    /** How long a rep waits for a refresh before getting the last known (stale) value. */
    INVENTORY_REFRESH_WAIT_MS: int(1500, 0, 60_000),

    // ── sync flows 1–3: write-back and catch-up sweep (proxy/src/flows; docs/flows.md) ──
    /** Cron (UTC) of the sweep that re-sends records still `Pending` in Salesforce; `off` disables it. */
    SYNC_SWEEP_CRON: z.preprocess(blankAsUndefined, z.string().default('*/5 * * * *')),
    /** Only records last modified more than this many minutes ago are swept (their callout had time). */
    SYNC_SWEEP_AGE_MIN: int(5, 1, 10_080),
    /** At most this many records per object per sweep run. */
    SYNC_SWEEP_LIMIT: int(2000, 1, 50_000),
    /** Write-back to Salesforce waits at most this long to group records into one collections call. */
    SYNC_WRITEBACK_FLUSH_MS: int(250, 0, 10_000),

    // ── products and prices (flow 4; docs/flows.md) ─────────────────────────────────────
    /** Cron (UTC) of the scheduled product and price sync; `off` (default) runs it only on request. */
    PRODUCTS_SYNC_CRON: z.preprocess(blankAsUndefined, z.string().default('off')),
    /** Custom price books besides the standard one: one per `company`, per `company-currency`, or `none`. */
    PRODUCTS_PRICE_BOOKS: z.preprocess(
      blankAsUndefined,
      z.enum(['company', 'company-currency', 'none']).default('company'),
    ),
    /** ProductLifecycleStateId values meaning "no longer sold": such products become inactive. */
    PRODUCTS_STOPPED_STATES: csv().transform((v) => (v.length > 0 ? v : ['Stopped', 'Discontinued'])),
    /** Salesforce org has multi-currency on: each entry carries CurrencyIsoCode. Off: the company currency only. */
    PRODUCTS_MULTI_CURRENCY: optionalBool().transform((v) => v ?? true),
    /** F&O export data project (Released products V2 + Sales price agreements) for large catalogues; unset: always OData paging. */
    PRODUCTS_EXPORT_PROJECT: optionalString(),
    /** A company with more released products than this is read through PRODUCTS_EXPORT_PROJECT (measured crossover). */
    PRODUCTS_EXPORT_THRESHOLD: int(20_000, 0),

    // ── reconciliation (docs/reconciliation.md) ─────────────────────────────────────────
    /** Cron (UTC) of the daily reconciliation (report only, no repair); `off` disables it. */
    RECONCILE_CRON: z.preprocess(blankAsUndefined, z.string().default('30 2 * * *')),
    /** A Salesforce record still `Pending` after this many minutes is reported (its callout was lost). */
    RECONCILE_PENDING_MIN: int(60, 1, 100_800),
    /** F&O → Salesforce pairs dated by F&O (posted invoices) are compared over this many days. */
    RECONCILE_WINDOW_DAYS: int(90, 1, 3_660),
    /** The scheduled run also repairs what is safe to repair (default: it only reports). */
    RECONCILE_SCHEDULE_REPAIR: optionalBool().transform((v) => v ?? false),
    /** How many reports the store keeps (the oldest is overwritten). */
    RECONCILE_HISTORY: int(30, 1, 1_000),

    // ── payment status and standing (flow 7; docs/flows.md) ──────────────────────────────
    /** Cron (UTC) of the payment status run; `off` disables the schedule (the route still runs it). */
    PAYMENTS_SYNC_CRON: z.preprocess(blankAsUndefined, z.string().default('0 * * * *')),
    /** An unchanged standing's refresh time is rewritten once older than this (the card: stale after 120); 0 never. */
    PAYMENTS_STANDING_REFRESH_MIN: int(90, 0, 10_080),
    /** `usmf=America/Chicago,demf=Europe/Berlin`: the zone of each company's calendar day (UTC when unlisted). */
    COMPANY_TIME_ZONES: z.preprocess(
      blankAsUndefined,
      z
        .string()
        .default('')
        .transform((v, ctx) => {
          const out: Record<string, string> = {};
          for (const part of v
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)) {
            const [company = '', zone = ''] = part.split('=').map((x) => x.trim());
            try {
              if (!company || !zone) throw new RangeError('empty');
              new Intl.DateTimeFormat('en-US', { timeZone: zone });
            } catch {
              ctx.addIssue({ code: 'custom', message: `"${part}" is not company=IANA time zone` });
              continue;
            }
            out[company.toLowerCase()] = zone;
          }
          return out;
        }),
    ),

    // ── mapping and routing ────────────────────────────────────────────────────────────
    BRIDGE_CONFIG: optionalString(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.INBOUND_API_KEYS.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['INBOUND_API_KEYS'],
        message: 'development API keys are refused when NODE_ENV=production; use INBOUND_JWT_CERT',
      });
    }
    if (c.INBOUND_JWT_CERT && (!c.INBOUND_JWT_ISSUER || !c.INBOUND_JWT_AUDIENCE)) {
      for (const key of ['INBOUND_JWT_ISSUER', 'INBOUND_JWT_AUDIENCE'] as const) {
        if (!c[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when INBOUND_JWT_CERT is set' });
      }
    }
    if (c.NODE_ENV === 'production' && !c.INBOUND_JWT_CERT) {
      ctx.addIssue({
        code: 'custom',
        path: ['INBOUND_JWT_CERT'],
        message: 'required when NODE_ENV=production (the certificate Salesforce signs callouts with)',
      });
    }
    for (const key of c.INBOUND_API_KEYS.concat(c.ADMIN_API_KEYS)) {
      if (key.length < 16) {
        ctx.addIssue({
          code: 'custom',
          path: [c.ADMIN_API_KEYS.includes(key) ? 'ADMIN_API_KEYS' : 'INBOUND_API_KEYS'],
          message: 'each key must be at least 16 characters',
        });
        break;
      }
    }
    if (c.D365_EVENT_KEYS.some((key) => key.length < 32 || !/^[A-Za-z0-9._~-]+$/.test(key))) {
      ctx.addIssue({
        code: 'custom',
        path: ['D365_EVENT_KEYS'],
        message: 'each key must be at least 32 URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
      });
    }
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(formatConfigError(problems));
    this.name = 'ConfigError';
  }
}

export function formatConfigError(problems: Array<{ variable: string; message: string }>): string {
  const lines = problems.map((p) => `  - ${p.variable}: ${p.message}`);
  return `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}\nSee docs/configuration.md.`;
}

/** Parse the environment; throws `ConfigError` listing every problem. Secrets never appear in messages. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? '(config)'),
    message: issue.message,
  }));
  throw new ConfigError(problems);
}

/**
 * Read `.env` for local development (never overrides variables already set). Production
 * containers get their environment from the orchestrator and have no `.env` file.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
