import { performance } from 'node:perf_hooks';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.js';
import { fixturePackage, makeForceApp } from '../../emulators/salesforce/test-helpers.js';
import { createSalesforceClient, type SfRecord } from '../../../proxy/src/salesforce/index.js';

/**
 * Salesforce API calls per 10,000 records written (upsert by External ID), against the
 * emulator over real HTTP:
 *   collections.callsPer10k  sObject Collections, 200 per call      (goal ≤ 55)
 *   bulk.callsPer10k         Bulk API 2.0, one job incl. polling    (goal ≤ 6)
 *   naive.callsPer10k        one PATCH per record; measured on 1,000 records and scaled ×10
 *                            (naive.measuredRecords says how many were really sent)
 * 0.5 % of the rows are invalid (too long Name) so the failure paths (failedResults) are
 * part of the count. Token requests are not API calls and are not counted.
 */
const N = 10_000;
const NAIVE_N = 1_000;

function records(n: number, prefix: string): SfRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    D365_Customer_Number__c: `${prefix}-${String(i).padStart(6, '0')}`,
    Name: i % 200 === 199 ? 'x'.repeat(300) : `Customer ${i}`,
    BillingCity: 'Seattle',
    BillingCountryCode: 'US',
  }));
}

export default async function run(): Promise<Record<string, number>> {
  const pkg = makeForceApp(fixturePackage());
  const emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir });
  try {
    const client = createSalesforceClient({
      loginUrl: emu.loginUrl,
      clientId: emu.consumerKey,
      username: emu.username,
      privateKey: emu.privateKeyPem!,
      bulkThreshold: 2000,
      bulkPollIntervalMs: 500,
    });
    await client.identity(); // log in outside the measurement
    const measure = async (fn: () => Promise<unknown>) => {
      emu.control.resetCounters();
      const t0 = performance.now();
      await fn();
      return {
        calls: emu.control.counters().apiUsed,
        seconds: (performance.now() - t0) / 1000,
        byKind: emu.control.counters().byKind,
      };
    };

    const collections = await measure(() =>
      client.upsertMany('Account', 'D365_Customer_Number__c', records(N, 'COL'), { mode: 'collections' }),
    );
    const bulk = await measure(() =>
      client.upsertMany('Account', 'D365_Customer_Number__c', records(N, 'BLK')),
    );
    const naive = await measure(async () => {
      for (const r of records(NAIVE_N, 'NAI')) {
        const { D365_Customer_Number__c: ext, ...rest } = r;
        await client.upsert('Account', 'D365_Customer_Number__c', String(ext), rest).catch(() => undefined);
      }
    });

    return {
      'collections.callsPer10k': collections.calls,
      'collections.seconds': Number(collections.seconds.toFixed(2)),
      'collections.recordsPerSecond': Math.round(N / collections.seconds),
      'bulk.callsPer10k': bulk.calls,
      'bulk.polls': Math.max(0, (bulk.byKind.bulk ?? 0) - 5),
      'bulk.seconds': Number(bulk.seconds.toFixed(2)),
      'naive.callsPer10k': naive.calls * (N / NAIVE_N),
      'naive.measuredRecords': NAIVE_N,
      'naive.secondsPer10kEstimate': Number((naive.seconds * (N / NAIVE_N)).toFixed(1)),
    };
  } finally {
    await emu.close();
    pkg.cleanup();
  }
}
