import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce/index.js';
import { checkSchema, type JsonSchema } from './json-schema.js';
import { pluginSchemaPath, sfCli, type SfCli } from './sf-cli.js';
import {
  authFields,
  bulkUpsertResult,
  dataExportBulkResult,
  dataQueryResult,
  saveResult,
} from './sf-shapes.js';

/**
 * The Salesforce CLI (`@salesforce/cli` 2.146.3, `@salesforce/core` 8) — a client nobody here
 * wrote, which works against every real org — driven against the Salesforce emulator. Each
 * command's `--json` result is checked against the shape the CLI documents for it, and its
 * effect in the org is checked through the emulator's control API. One login per method,
 * then the commands, one CLI process each (about 1.5 s apiece; the two Bulk commands wait for
 * the CLI's own 5 s poll).
 */
// One CLI process per test; on a busy machine a Bulk command's poll alone can take 15 s.
describe('sf CLI against the Salesforce emulator', { timeout: 60_000 }, () => {
  let emu: SalesforceEmulator;
  let sf: SfCli;
  let stateDir: string;
  let keyFile: string;
  let privateKeyPem: string;

  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    emu = await startSalesforceEmulator({
      seed: 'demo',
      certificatePem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    stateDir = mkdtempSync(join(tmpdir(), 'sf-cli-'));
    keyFile = join(stateDir, 'server.key');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    sf = sfCli(stateDir);
  });
  afterAll(async () => {
    await emu?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('org login access-token: logs in with a token the emulator issued and finds the username', async () => {
    // A token from the emulator's own JWT bearer grant, with exp in seconds (as the proxy signs).
    const key = await importPKCS8(privateKeyPem, 'RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(emu.consumerKey)
      .setSubject(emu.username)
      .setAudience(emu.loginUrl)
      .setExpirationTime('3m')
      .sign(key);
    const grant = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
    });
    const { access_token } = (await grant.json()) as { access_token: string };

    const out = await sf(
      ['org', 'login', 'access-token', '--instance-url', emu.url, '--no-prompt', '--alias', 'by-token'],
      { SF_ACCESS_TOKEN: access_token },
    );
    expect(out.status, out.message).toBe(0);
    const result = authFields.parse(out.result);
    expect(result).toMatchObject({
      username: emu.username,
      orgId: expect.stringMatching(/^00D\w{15}$/),
      instanceApiVersion: '62.0',
      isSandbox: false,
      isScratch: false,
    });
    // The CLI redacts the token in its output and keeps it in the auth file.
    expect(result.accessToken).toMatch(/REDACTED/);
  });

  it('org login access-token: refuses a token the org never issued', async () => {
    const out = await sf(['org', 'login', 'access-token', '--instance-url', emu.url, '--no-prompt'], {
      // Shaped like a session id (the CLI checks that much itself), unknown to the org.
      SF_ACCESS_TOKEN: `00DDn0000000001!AQ${'x'.repeat(60)}`,
    });
    expect(out.status).toBe(1);
    expect(out.name).toBe('AuthCodeUsernameRetrievalError');
    expect(out.message).toMatch(/Bad_OAuth_Token/);
  });

  it('org login jwt: signs exp in milliseconds, logs in, and stores the org', async () => {
    const before = emu.control.counters();
    const out = await sf([
      'org',
      'login',
      'jwt',
      '--client-id',
      emu.consumerKey,
      '--jwt-key-file',
      keyFile,
      '--username',
      emu.username,
      '--instance-url',
      emu.url,
      '--alias',
      'emu',
    ]);
    expect(out.status, out.message).toBe(0);
    const result = authFields.parse(out.result);
    expect(result).toMatchObject({
      username: emu.username,
      clientId: emu.consumerKey,
      instanceUrl: emu.url,
      orgId: expect.stringMatching(/^00D\w{15}$/),
      isDevHub: false,
      name: expect.any(String),
      instanceApiVersion: '62.0',
    });
    // One assertion, accepted at the first try (the CLI tries other audiences after a refusal).
    expect(emu.control.counters().tokenGrants).toBe(before.tokenGrants + 1);
    expect(emu.control.counters().tokenFailures).toBe(before.tokenFailures);
    // The auth file is written under the run's own HOME, never the user's.
    expect(existsSync(join(stateDir, 'home', '.sfdx', `${emu.username}.json`))).toBe(true);
  });

  it('data query: rows with parent fields, in the documented DataQueryResult shape', async () => {
    const out = await sf([
      'data',
      'query',
      '--query',
      'SELECT Id, Name, Owner.Name FROM Account ORDER BY Name LIMIT 2',
      '--target-org',
      'emu',
    ]);
    expect(out.status, out.message).toBe(0);
    const result = dataQueryResult.parse(out.result);
    expect(result.totalSize).toBe(2);
    expect(result.done).toBe(true);
    expect(result.records[0]).toMatchObject({
      attributes: { type: 'Account' },
      Name: 'Adventure Works',
      Owner: { Name: 'Integration User' },
    });
  });

  it('data query: an unknown field fails with INVALID_FIELD and the SOQL error text', async () => {
    const out = await sf(['data', 'query', '--query', 'SELECT Nope FROM Account', '--target-org', 'emu']);
    expect(out.status).toBe(1);
    expect(out.name).toBe('INVALID_FIELD');
    expect(out.message).toMatch(/ERROR at Row:1:Column:8\nNo such column 'Nope'/);
  });

  it('data create record: creates an Account and answers a SaveResult', async () => {
    const out = await sf([
      'data',
      'create',
      'record',
      '--sobject',
      'Account',
      '--values',
      "Name='Created By CLI' AccountNumber=CLI-1",
      '--target-org',
      'emu',
    ]);
    expect(out.status, out.message).toBe(0);
    const result = saveResult.parse(out.result);
    expect(result.id).toMatch(/^001\w{15}$/);
    const stored = emu.control.records('Account').find((r) => r.Id === result.id);
    expect(stored).toMatchObject({ Name: 'Created By CLI', AccountNumber: 'CLI-1' });
  });

  it('data upsert bulk: upserts a CSV by External ID through Bulk API 2.0 (one update, one insert)', async () => {
    const existing = emu.control.putRecords('Account', [
      { Name: 'Before Upsert', D365_Customer_Number__c: 'C-9001' },
    ])[0]!;
    const csv = join(stateDir, 'accounts.csv');
    writeFileSync(
      csv,
      'Name,AccountNumber,D365_Customer_Number__c\nAfter Upsert,B-1,C-9001\nBulk New,B-2,C-9002\n',
    );
    const out = await sf([
      'data',
      'upsert',
      'bulk',
      '--sobject',
      'Account',
      '--file',
      csv,
      '--external-id',
      'D365_Customer_Number__c',
      '--wait',
      '1',
      '--target-org',
      'emu',
    ]);
    expect(out.status, out.message).toBe(0);
    const result = bulkUpsertResult.parse(out.result);
    expect(result.jobInfo).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2 });
    expect(result.records.failedResults).toEqual([]);
    const created = result.records.successfulResults.map((r) => [r.D365_Customer_Number__c, r.sf__Created]);
    expect(created.sort()).toEqual([
      ['C-9001', 'false'],
      ['C-9002', 'true'],
    ]);
    expect(emu.control.record('Account', existing.Id as string)).toMatchObject({
      Name: 'After Upsert',
      AccountNumber: 'B-1',
    });
  });

  it('data export bulk (Bulk API 2.0 query; `data query --bulk` in older CLIs): writes every row to CSV', async () => {
    const file = join(stateDir, 'export.csv');
    const out = await sf([
      'data',
      'export',
      'bulk',
      '--query',
      "SELECT Id, Name, D365_Customer_Number__c FROM Account WHERE Name LIKE 'Bulk%'",
      '--output-file',
      file,
      '--result-format',
      'csv',
      '--wait',
      '1',
      '--target-org',
      'emu',
    ]);
    expect(out.status, out.message).toBe(0);
    const result = dataExportBulkResult.parse(out.result);
    expect(result).toMatchObject({ totalSize: 1, filePath: file });
    const lines = readFileSync(file, 'utf8').trimEnd().split(/\r?\n/);
    // The CLI writes the org's CSV as it comes: every value quoted.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('"Id","Name","D365_Customer_Number__c"');
    expect(lines[1]).toMatch(/^"001\w{15}","Bulk New","C-9002"$/);
  });

  it('org list limits: DailyApiRequests among the limits, in the schema the CLI ships', async () => {
    const out = await sf(['org', 'list', 'limits', '--target-org', 'emu']);
    expect(out.status, out.message).toBe(0);
    const schema = JSON.parse(
      readFileSync(pluginSchemaPath('plugin-limits', 'org-list-limits.json'), 'utf8'),
    ) as JsonSchema;
    expect(checkSchema(schema, out.result)).toEqual([]);
    const daily = (out.result as Array<{ name: string; max: number; remaining: number }>).find(
      (l) => l.name === 'DailyApiRequests',
    );
    expect(daily?.max).toBe(100_000);
    // The limits call itself is counted before it answers.
    expect(daily!.remaining).toBe(100_000 - emu.control.counters().apiUsed);
  });

  it('sobject describe: the Account describe fits the schema the CLI ships', async () => {
    const out = await sf(['sobject', 'describe', '--sobject', 'Account', '--target-org', 'emu']);
    expect(out.status, out.message).toBe(0);
    const schema = JSON.parse(
      readFileSync(pluginSchemaPath('plugin-schema', 'sobject-describe.json'), 'utf8'),
    ) as JsonSchema;
    // Open: the schema is generated from jsforce's types, and real orgs send more (`urls`).
    expect(checkSchema(schema, out.result, { open: true })).toEqual([]);
    const fields = (out.result as { fields: Array<{ name: string; externalId: boolean }> }).fields;
    expect(fields.find((f) => f.name === 'D365_Customer_Number__c')?.externalId).toBe(true);
  });
});
