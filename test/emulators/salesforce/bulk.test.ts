import { parse } from 'csv-parse/sync';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { fixturePackage, login, makeForceApp, restClient } from './test-helpers.js';

describe('Salesforce emulator: Bulk API 2.0 ingest', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const pkg = makeForceApp(fixturePackage());

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir, bulkQueueDelayMs: 30 });
    sf = restClient(emu, await login(emu));
  });
  beforeEach(() => emu.control.reset());
  afterAll(async () => {
    await emu.close();
    pkg.cleanup();
  });

  async function waitFor(jobId: string, states: string[]) {
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      const info = await sf('GET', `jobs/ingest/${jobId}`);
      if (seen.at(-1) !== info.body.state) seen.push(info.body.state);
      if (states.includes(info.body.state)) return { info: info.body, seen };
      await sleep(10);
    }
    throw new Error(`job ${jobId} never reached ${states.join('/')}`);
  }

  it('runs an upsert job Open → UploadComplete → InProgress → JobComplete with success and failure CSVs', async () => {
    await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/C-2', { Name: 'Existing' });
    const created = await sf('POST', 'jobs/ingest', {
      object: 'Account',
      externalIdFieldName: 'D365_Customer_Number__c',
      contentType: 'CSV',
      operation: 'upsert',
      lineEnding: 'LF',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^750/),
      state: 'Open',
      object: 'Account',
      operation: 'upsert',
      contentUrl: `services/data/v62.0/jobs/ingest/${created.body.id}/batches`,
    });
    const id = created.body.id;
    const rows = [
      'D365_Customer_Number__c,Name,NumberOfEmployees',
      'C-1,One,10',
      'C-2,Two Renamed,',
      `C-3,${'x'.repeat(300)},3`,
      'C-4,,4',
      'C-5,"Five, Inc.",#N/A',
    ];
    const upload = await sf('PUT', `jobs/ingest/${id}/batches`, rows.join('\n') + '\n');
    expect(upload.status).toBe(201);
    const closed = await sf('PATCH', `jobs/ingest/${id}`, { state: 'UploadComplete' });
    expect(closed.body.state).toBe('UploadComplete');
    expect((await sf('PUT', `jobs/ingest/${id}/batches`, 'Name\nLate\n')).status).toBe(409);

    const { info, seen } = await waitFor(id, ['JobComplete', 'Failed']);
    expect(seen).toContain('JobComplete');
    expect(info).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: 5,
      numberRecordsFailed: 2,
      jobType: 'V2Ingest',
    });

    const ok = parse((await sf('GET', `jobs/ingest/${id}/successfulResults/`)).body as string, {
      columns: true,
    }) as Record<string, string>[];
    expect(ok.map((r) => [r.D365_Customer_Number__c, r.sf__Created])).toEqual([
      ['C-1', 'true'],
      ['C-2', 'false'],
      ['C-5', 'true'],
    ]);
    expect(ok[0]!.sf__Id).toMatch(/^001/);
    const failed = parse((await sf('GET', `jobs/ingest/${id}/failedResults/`)).body as string, {
      columns: true,
    }) as Record<string, string>[];
    expect(failed.map((r) => r.D365_Customer_Number__c)).toEqual(['C-3', 'C-4']);
    expect(failed[0]!.sf__Error).toMatch(
      /^STRING_TOO_LONG:Account Name: data value too large: x+.*:Name --$/,
    );
    expect(failed[1]!.sf__Error).toBe('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --');
    expect(emu.control.records('Account').find((a) => a.D365_Customer_Number__c === 'C-2')).toMatchObject({
      Name: 'Two Renamed',
    });
    expect(emu.control.records('Account').find((a) => a.D365_Customer_Number__c === 'C-5')).toMatchObject({
      Name: 'Five, Inc.',
      NumberOfEmployees: null,
    });
  });

  it('reports InProgress with a growing processed count while rows are worked through', async () => {
    emu.control.setLimits({ bulkRowsPerSecond: 2000 });
    try {
      const { body: job } = await sf('POST', 'jobs/ingest', { object: 'Account', operation: 'insert' });
      const csv = ['Name', ...Array.from({ length: 300 }, (_, i) => `Row ${i}`)].join('\n');
      await sf('PUT', `jobs/ingest/${job.id}/batches`, csv);
      await sf('PATCH', `jobs/ingest/${job.id}`, { state: 'UploadComplete' });
      const progress: number[] = [];
      const { seen } = await (async () => {
        const states: string[] = [];
        for (let i = 0; i < 300; i++) {
          const info = (await sf('GET', `jobs/ingest/${job.id}`)).body;
          if (states.at(-1) !== info.state) states.push(info.state);
          if (info.state === 'InProgress') progress.push(info.numberRecordsProcessed);
          if (info.state === 'JobComplete') return { seen: states };
          await sleep(10);
        }
        throw new Error('job did not finish');
      })();
      expect(seen).toEqual(['UploadComplete', 'InProgress', 'JobComplete']);
      expect(progress.some((n) => n > 0 && n < 300)).toBe(true);
    } finally {
      emu.control.setLimits({ bulkRowsPerSecond: 200_000 });
    }
  });

  it('fails the whole job for a column the org does not have', async () => {
    const { body: job } = await sf('POST', 'jobs/ingest', { object: 'Account', operation: 'insert' });
    await sf('PUT', `jobs/ingest/${job.id}/batches`, 'Name,D365_Payment_Terms__c\nA,Net30\n');
    await sf('PATCH', `jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    const { info } = await waitFor(job.id, ['JobComplete', 'Failed']);
    expect(info).toMatchObject({
      state: 'Failed',
      errorMessage: 'InvalidBatch : Field name not found : D365_Payment_Terms__c',
      numberRecordsProcessed: 0,
    });
    expect(emu.control.records('Account')).toHaveLength(0);
  });

  it('resolves relationship columns by External ID, and aborts', async () => {
    await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/C-7', { Name: 'Parent' });
    const { body: job } = await sf('POST', 'jobs/ingest', {
      object: 'Invoice__c',
      operation: 'upsert',
      externalIdFieldName: 'D365_Invoice_Id__c',
    });
    await sf(
      'PUT',
      `jobs/ingest/${job.id}/batches`,
      'D365_Invoice_Id__c,Name,Account__r.D365_Customer_Number__c\nI-1,I-1,C-7\nI-2,I-2,C-404\n',
    );
    await sf('PATCH', `jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    const { info } = await waitFor(job.id, ['JobComplete']);
    expect(info.numberRecordsFailed).toBe(1);
    expect(emu.control.records('Invoice__c')[0]!.Account__c).toMatch(/^001/);

    const { body: other } = await sf('POST', 'jobs/ingest', { object: 'Account', operation: 'insert' });
    expect((await sf('PATCH', `jobs/ingest/${other.id}`, { state: 'Aborted' })).body.state).toBe('Aborted');
  });

  it('refuses bad job definitions', async () => {
    expect(
      (await sf('POST', 'jobs/ingest', { object: 'Nope__c', operation: 'insert' })).body[0].errorCode,
    ).toBe('INVALIDENTITY');
    expect(
      (await sf('POST', 'jobs/ingest', { object: 'Account', operation: 'upsert' })).body[0].errorCode,
    ).toBe('INVALIDJOB');
    expect(
      (
        await sf('POST', 'jobs/ingest', {
          object: 'Account',
          operation: 'upsert',
          externalIdFieldName: 'Name',
        })
      ).status,
    ).toBe(404);
    expect((await sf('GET', 'jobs/ingest/750Dn0000000zzzAAA')).status).toBe(404);
  });
});
