/**
 * Flows 1–3 end to end: the proxy built from config exactly as `main.ts` builds it (createRuntime
 * + buildApp, listening on a real port, SQLite store in a temp dir), the F&O emulator and the
 * Salesforce emulator, all over real HTTP. Records are the JSON the package's Apex sends (the
 * contract fixtures in force-app/…/staticresources).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import { createMetrics, type Registry } from '../../src/metrics.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startD365Emulator, type D365Emulator } from '../../../test/emulators/d365/index.js';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../test/emulators/salesforce/index.js';
import { testConfig } from '../http/helpers.js';

export const KEY = 'dev-key-0123456789abcdef';

/**
 * The proxy as main.ts builds it, from `env` (the harness's `env()`), in a process of its own
 * (sync-proxy-child.ts); resolves with the process and its URL once it listens.
 */
export function spawnProxy(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./sync-proxy-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`proxy exited early (${code})`)));
  });
}
export const ADMIN = 'admin-key-0123456789abcdef';
export const DEMO_BRIDGE = new URL('../../../test/fixtures/bridge.demo.json', import.meta.url).pathname;

export type Row = Record<string, unknown>;

/** The contract fixtures (force-app static resources) the Apex tests use too. */
export { contractFixture as fixture } from '../../../test/support/contract-fixtures.js';

export interface Harness {
  d365: D365Emulator;
  sf: SalesforceEmulator;
  dir: string;
  /** The running proxy (restart() replaces it, keeping the store). */
  proxy: { app: FastifyInstance; runtime: Runtime; url: string; registry: Registry };
  start(overrides?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  /** Environment for a proxy in another process (crash tests). */
  env(overrides?: Record<string, string>): Record<string, string>;
  writeBridge(name: string, mutate: (cfg: any) => void): string;
}

export async function startHarness(
  opts: {
    d365?: Parameters<typeof startD365Emulator>[0];
    sfLatencyMs?: number;
    /** Salesforce emulator seed (default `empty`). */
    sfSeed?: 'demo' | 'empty';
    /** Also collect prom-client's process metrics, as main.ts does. */
    defaultMetrics?: boolean;
    /** The proxy's logger (a capturing one to check what is logged); silent by default. */
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const d365 = await startD365Emulator({
    httpsPort: false,
    latency: { readMs: 2, writeMs: 2, batchBaseMs: 2, batchPerOperationMs: 1, jitter: 0 },
    ...opts.d365,
  });
  const sf = await startSalesforceEmulator({
    seed: opts.sfSeed ?? 'empty',
    latencyMs: opts.sfLatencyMs ?? 0,
  });
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-flows-'));
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    INBOUND_API_KEYS: KEY,
    ADMIN_API_KEYS: ADMIN,
    STORE_URL: `sqlite:${join(dir, 'bridge.db')}`,
    D365_URL: d365.url,
    D365_TENANT_ID: d365.tenantId,
    D365_CLIENT_ID: d365.clientId,
    D365_CLIENT_SECRET: d365.clientSecret,
    SF_LOGIN_URL: sf.loginUrl,
    SF_CLIENT_ID: sf.consumerKey,
    SF_USERNAME: sf.username,
    SF_PRIVATE_KEY: sf.privateKeyPem!,
    BRIDGE_CONFIG: DEMO_BRIDGE,
    JOB_POLL_MS: '20',
    JOB_LEASE_S: '5',
    SYNC_WRITEBACK_FLUSH_MS: '20',
    SYNC_SWEEP_CRON: 'off',
    SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const h: Harness = {
    d365,
    sf,
    dir,
    proxy: undefined as unknown as Harness['proxy'],
    env,
    async start(overrides = {}) {
      const config = testConfig(env(overrides));
      const logger = opts.logger ?? pino({ level: process.env.FLOWS_LOG ?? 'silent' });
      const registry = createMetrics({ defaultMetrics: opts.defaultMetrics ?? false });
      const runtime = await createRuntime(config, {
        logger,
        registry,
        d365Overrides: {
          authorityMetadataOverride: { tokenEndpoint: `${d365.url}/${d365.tenantId}/oauth2/v2.0/token` },
          retryBaseDelayMs: 20,
        },
      });
      const app = await buildApp({ config, logger, registry, parts: runtime.parts });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      h.proxy = { app, runtime, url, registry };
    },
    async stop() {
      await h.proxy?.app.close();
      h.proxy = undefined as unknown as Harness['proxy'];
    },
    async close() {
      await h.stop();
      await d365.close();
      await sf.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async post(path, body) {
      const res = await fetch(`${h.proxy.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async admin(path, init = {}) {
      const res = await fetch(`${h.proxy.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${ADMIN}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
    writeBridge(name, mutate) {
      const cfg = JSON.parse(readFileSync(DEMO_BRIDGE, 'utf8'));
      mutate(cfg);
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(cfg));
      return path;
    },
  };
  return h;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stores the Salesforce side of a record as the org would hold it (relationship objects and sub-queries left out). */
export function seedSalesforce(sf: SalesforceEmulator, object: string, records: Row[]): void {
  sf.control.putRecords(
    object,
    records.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r))
        if (k !== 'attributes' && (v === null || typeof v !== 'object')) out[k] = v;
      return out;
    }),
  );
}

/** An Apex-style Account record (as JSON.serialize writes it). */
export function account(id: string, fields: Row = {}): Row {
  return {
    attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${id}` },
    Id: id,
    Name: `Account ${id}`,
    BillingStreet: '1 Main Street',
    BillingCity: 'Seattle',
    BillingState: 'WA',
    BillingPostalCode: '98101',
    BillingCountry: 'US',
    D365_Legal_Entity__c: 'usmf',
    D365_Sync_Status__c: 'Pending',
    SystemModstamp: '2026-08-21T09:14:03.000+0000',
    ...fields,
  };
}

/** Ids with the right shape for the emulator (prefix 001/003/006, 18 characters). */
export function sfId(prefix: string, n: number): string {
  return `${prefix}Hs0000${String(n).padStart(6, '0')}AAA`;
}

export async function deadLetters(h: Harness, flow: string): Promise<any[]> {
  const res = await h.admin(`/v1/dead-letters?flow=${flow}&limit=500`);
  return res.body.items;
}
