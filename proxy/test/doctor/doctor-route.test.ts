/**
 * `GET /v1/doctor` over HTTP against the proxy built as main.ts builds it, the F&O and Salesforce
 * emulators and a real store: on the sandbox composition every check passes; one field's FLS
 * removed, a wrong token audience, an unmapped warehouse or a read-only store each fail exactly
 * that check, with the fix.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime.js';
import type { D365ClientOptions } from '../../src/d365/index.js';
import type { CheckResult, DoctorReport } from '../../src/flows/doctor/index.js';
import { runDoctorCli } from '../../src/cli/doctor.js';
import { ADMIN, KEY, startHarness, type Harness } from '../flows/sync-harness.js';
import { testConfig } from '../http/helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ d365: { httpsPort: 0 } });
}, 60_000);
afterAll(async () => h?.close());

/** A proxy on an ephemeral port; `close` stops it. */
async function startProxy(env: Record<string, string> = {}, d365: Partial<D365ClientOptions> = {}) {
  const config = testConfig(h.env(env));
  const registry = createMetrics({ defaultMetrics: false });
  const logger = pino({ level: 'silent' });
  const runtime = await createRuntime(config, {
    logger,
    registry,
    d365Overrides: { authorityMetadataOverride: { tokenEndpoint: tokenEndpoint() }, ...d365 },
  });
  const app = await buildApp({ config, logger, registry, parts: runtime.parts });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    runtime,
    async doctor(): Promise<DoctorReport> {
      const res = await fetch(`${url}/v1/doctor`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as DoctorReport;
    },
    close: () => app.close(),
  };
}

const tokenEndpoint = () => `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`;
const failed = (r: DoctorReport) => r.checks.filter((c) => c.status === 'fail');
const byId = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id) as CheckResult;

describe('GET /v1/doctor', () => {
  it('passes every check on the sandbox composition, after a callout from the package', async () => {
    const proxy = await startProxy();
    try {
      // A development key admitted by a route counts as the package's callout.
      await fetch(`${proxy.url}/v1/inventory?company=usmf`, { headers: { authorization: `Bearer ${KEY}` } });
      // The record is written in the background: wait until the store has it.
      for (let i = 0; i < 100 && !(await proxy.runtime.store.ledgerGet('doctor', 'last-callout')); i++)
        await new Promise((r) => setTimeout(r, 20));
      const report = await proxy.doctor();
      expect(failed(report)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(byId(report, 'entra.audience').verdict).toContain(h.d365.url);
      expect(byId(report, 'fno.warehouse.usmf')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'fno.site.usrt')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'salesforce.fls.Account')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'proxy.store').verdict).toBe('sqlite store reachable and writable');
      expect(byId(report, 'package.callout')).toMatchObject({ status: 'pass', detail: { kind: 'dev-key' } });
      expect(byId(report, 'proxy.businessEvents')).toMatchObject({ status: 'info' });

      const anonymous = await fetch(`${proxy.url}/v1/doctor`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      const sync = await fetch(`${proxy.url}/v1/doctor`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(sync.status).toBe(401);
    } finally {
      await proxy.close();
    }
  });

  it('names each field whose field-level security the integration user lacks, with the fix', async () => {
    const proxy = await startProxy();
    try {
      h.sf.control.setFieldAccess('Account', 'D365_Customer_Number__c', 'read');
      h.sf.control.setFieldAccess('Contact', 'Email', 'none');
      const report = await proxy.doctor();
      expect(
        failed(report)
          .map((c) => c.id)
          .sort(),
      ).toEqual(['salesforce.fls.Account', 'salesforce.fls.Contact']);
      expect(byId(report, 'salesforce.fls.Account')).toMatchObject({
        verdict: 'Account.D365_Customer_Number__c not updateable',
        fix: expect.stringContaining(
          'grant the integration user read and edit access on Account.D365_Customer_Number__c',
        ),
      });
      expect(byId(report, 'salesforce.fls.Contact')).toMatchObject({
        verdict: 'Contact.Email missing or not readable',
        fix: expect.stringContaining('read access on Contact.Email'),
      });
    } finally {
      h.sf.control.resetFieldAccess();
      await proxy.close();
    }
  });

  it('fails the audience check when the token is not for D365_URL exactly', async () => {
    // The emulator also answers at its https URL: a token for that resource is a real token, for
    // the wrong audience as far as D365_URL (the http URL) goes.
    const wrong = h.d365.httpsUrl!;
    const tokenFetcher = async () => {
      const res = await fetch(tokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: h.d365.clientId,
          client_secret: h.d365.clientSecret,
          scope: `${wrong}/.default`,
        }),
      });
      const body = (await res.json()) as { access_token: string; expires_in: number };
      return { accessToken: body.access_token, expiresInMs: body.expires_in * 1000 };
    };
    const proxy = await startProxy({}, { tokenFetcher });
    try {
      const report = await proxy.doctor();
      expect(failed(report).map((c) => c.id)).toEqual(['entra.audience']);
      expect(byId(report, 'entra.audience')).toMatchObject({
        verdict: `aud is "${wrong.toLowerCase()}" but D365_URL is "${h.d365.url}": F&O refuses such tokens with 401`,
        fix: expect.stringContaining('set D365_URL'),
      });
    } finally {
      await proxy.close();
    }
  });

  it('fails the warehouse check when the mapping file names a warehouse F&O does not have', async () => {
    const bridge = h.writeBridge('bridge-wh99.json', (cfg) => {
      cfg.companies.usmf.warehouse = '99';
    });
    const proxy = await startProxy({ BRIDGE_CONFIG: bridge });
    try {
      const report = await proxy.doctor();
      expect(failed(report).map((c) => c.id)).toEqual(['fno.warehouse.usmf']);
      expect(byId(report, 'fno.warehouse.usmf')).toMatchObject({
        verdict: 'warehouse 99 does not exist in usmf',
        fix: expect.stringContaining('companies.usmf.warehouse'),
      });
    } finally {
      await proxy.close();
    }
  });

  it('fails the store check when the PostgreSQL store turns read-only', async () => {
    const id = randomBytes(4).toString('hex');
    const role = `doctor_ro_${id}`;
    const admin = new pg.Client({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    await admin.connect();
    const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT CREATE ON DATABASE ${base.pathname.slice(1)} TO ${role}`);
    base.username = role;
    base.searchParams.set('schema', `doctor_${id}`);
    const proxy = await startProxy({ STORE_URL: base.toString() });
    try {
      // What a failover to a read-only replica looks like to the proxy: every new session is read-only.
      await admin.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      const report = await proxy.doctor();
      expect(failed(report).map((c) => c.id)).toEqual(['proxy.store']);
      expect(byId(report, 'proxy.store')).toMatchObject({
        verdict: expect.stringMatching(
          /^the postgres store answers but is not writable: .*read-only transaction/,
        ),
        fix: expect.stringContaining('default_transaction_read_only'),
      });

      // The CLI opens the store itself: a read-only one cannot even be opened (migrated).
      const out: string[] = [];
      const code = await runDoctorCli(['--json'], {
        env: h.env({ STORE_URL: base.toString() }),
        out: (s) => out.push(s),
        err: (s) => out.push(s),
      });
      expect(code).toBe(1);
      const cli = JSON.parse(out.join('\n')) as DoctorReport;
      expect(failed(cli)).toEqual([
        expect.objectContaining({
          id: 'proxy.store',
          verdict: expect.stringMatching(/^STORE_URL: cannot open the store/),
        }),
      ]);
    } finally {
      await proxy.close();
      await admin.query(`DROP OWNED BY ${role} CASCADE`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });
});

describe('fo-bridge doctor', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDoctorCli(
      argv,
      { env: h.env({ LOG_LEVEL: 'silent', ...env }), out: (s) => out.push(s), err: (s) => err.push(s) },
      { d365Overrides: { authorityMetadataOverride: { tokenEndpoint: tokenEndpoint() } } },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('exits 0 when every check passes, 1 naming the failure, 2 when it cannot run', async () => {
    const ok = await run([]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/all checks pass/);

    const bridge = h.writeBridge('bridge-wh98.json', (cfg) => {
      cfg.companies.usrt.warehouse = '98';
    });
    const bad = await run(['--json'], { BRIDGE_CONFIG: bridge });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out) as DoctorReport;
    expect(failed(report).map((c) => c.id)).toEqual(['fno.warehouse.usrt']);

    const text = await run([], { BRIDGE_CONFIG: bridge });
    expect(text.out).toContain('FAIL  warehouse 98 does not exist in usrt');
    expect(text.out).toContain('fix: fix companies.usrt.warehouse in the mapping file');

    const half = await run([], { D365_CLIENT_SECRET: '' });
    expect(half.code).toBe(1);
    expect(half.out).toContain('F&O connection is half configured: D365_CLIENT_SECRET missing');

    expect((await run(['--frobnicate'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: fo-bridge doctor [--json]');
  }, 60_000);
});
