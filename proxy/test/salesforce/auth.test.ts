import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSalesforceClient, SalesforceAuthError } from '../../src/salesforce/index.js';
import { clientOptions, startOrg } from './helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLOCK_SHIFT = join(here, '../../../test/chaos/clock-shift.mjs');

describe('Salesforce client: JWT bearer login', () => {
  let org: Awaited<ReturnType<typeof startOrg>>;
  beforeAll(async () => {
    org = await startOrg();
  });
  beforeEach(() => org.emu.control.resetCounters());
  afterAll(async () => org.close());

  it('logs in with a PEM string and with a key file path, and reports who it is', async () => {
    const fromPem = org.client();
    expect(await fromPem.identity()).toEqual({
      instanceUrl: org.emu.url,
      orgId: expect.stringMatching(/^00D/),
      userId: expect.stringMatching(/^005/),
    });
    const dir = mkdtempSync(join(tmpdir(), 'sf-key-'));
    try {
      const path = join(dir, 'server.key');
      writeFileSync(path, org.emu.privateKeyPem!, { mode: 0o600 });
      const fromFile = org.client({ privateKey: path });
      expect((await fromFile.limits()).DailyApiRequests).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(org.emu.control.counters().tokenGrants).toBe(2);
  });

  it('caches the token and logs in once for many concurrent first calls', async () => {
    const client = org.client();
    await Promise.all(Array.from({ length: 10 }, () => client.limits()));
    await client.limits();
    expect(org.emu.control.counters().tokenGrants).toBe(1);
  });

  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const failures: Array<[string, Record<string, string>, string, string]> = [
    [
      'a key that does not match the certificate',
      { privateKey: otherKey },
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an unknown consumer key',
      { clientId: 'not-the-app' },
      'invalid_client_id',
      'client identifier invalid',
    ],
    ['an unknown username', { username: 'ghost@bridge.example' }, 'invalid_grant', 'invalid assertion'],
    [
      'a wrong audience',
      { audience: 'https://test.salesforce.com.invalid' },
      'invalid_grant',
      'audience is invalid',
    ],
  ];
  for (const [name, overrides, error, description] of failures) {
    it(`throws a non-transient SalesforceAuthError for ${name}`, async () => {
      const client = createSalesforceClient(clientOptions(org.emu, overrides));
      const err = await client.limits().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SalesforceAuthError);
      expect(err).toMatchObject({ error, description, status: 400, transient: false });
      expect((err as Error).message).not.toContain('BEGIN');
    });
  }

  it("logs in although this host's clock runs 5 minutes slow: the refused login's Date header sets the clock", async () => {
    // Only the client's process runs slow (test/chaos/clock-shift.mjs), as on a badly synced host.
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', CLOCK_SHIFT, join(here, 'slow-clock-login.ts')],
      {
        env: {
          ...process.env,
          FOBRIDGE_TEST_CLOCK_SHIFT_MS: String(-5 * 60_000),
          SF_CLIENT_OPTIONS: JSON.stringify(clientOptions(org.emu)),
        },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ ok: true });
    expect(org.emu.control.counters().tokenGrants).toBe(1);
  });

  it('marks an unreachable login host as a transient auth error', async () => {
    const client = createSalesforceClient(
      clientOptions(org.emu, { loginUrl: 'http://127.0.0.1:9', timeoutMs: 2000 }),
    );
    await expect(client.limits()).rejects.toMatchObject({
      name: 'SalesforceAuthError',
      error: 'network_error',
      transient: true,
    });
  });

  it('recovers from a session expiring mid-run with exactly one re-login and no failed call', async () => {
    const client = org.client();
    await client.upsertMany('Account', 'D365_Customer_Number__c', [
      { D365_Customer_Number__c: 'S-0', Name: 'Before' },
    ]);
    expect(org.emu.control.counters().tokenGrants).toBe(1);
    org.emu.control.expireSessions();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.upsert('Account', 'D365_Customer_Number__c', `S-${i + 1}`, { Name: `After ${i}` }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    expect(org.emu.control.counters().tokenGrants).toBe(2);
  });
});
