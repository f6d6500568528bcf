/**
 * Reconciliation of flow 1 (Accounts ↔ customers): requests and wall time of one run against
 * both emulators over real HTTP. 10,000 synced Accounts (BENCH_RECONCILE_ACCOUNTS scales it), their
 * customers in F&O written from the flow's own mapper, then 1 % renamed in F&O:
 *   reconcile.d365Requests   F&O requests of the run (pages)
 *   reconcile.sfCalls        Salesforce API calls of it (COUNT, then SOQL pages of 2,000)
 *   reconcile.wallSeconds    its wall time
 *   reconcile.different      records found different (should be 1 % of the Accounts)
 *   reconcile.rssGrowthMB    resident memory growth over the run (everything is held in memory)
 *   reconcile.bulk.*         the same run reading Salesforce with Bulk API 2.0 query
 * Token requests are not counted.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../../proxy/src/config.js';
import { createD365Client } from '../../../proxy/src/d365/index.js';
import { d365Settings } from '../../../proxy/src/d365/options-from-config.js';
import { reconcile } from '../../../proxy/src/flows/reconcile/run.js';
import { toOrgNames } from '../../../proxy/src/flows/sweep/pending-sweep.js';
import {
  customerChanges,
  isRejection,
  loadBridgeConfig,
  readAccount,
} from '../../../proxy/src/mapping/index.js';
import { createSalesforceClient } from '../../../proxy/src/salesforce/index.js';
import { startD365Emulator } from '../../emulators/d365/index.js';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.js';

const ACCOUNTS = Number(process.env.BENCH_RECONCILE_ACCOUNTS ?? 10_000);
const DRIFTED = Math.max(1, Math.round(ACCOUNTS * 0.01));
const COMPANY = 'usmf';

export default async function run(): Promise<Record<string, number>> {
  const d365 = await startD365Emulator({
    seed: 'empty',
    httpsPort: false,
    latency: { readMs: 0, writeMs: 0, jitter: 0 },
  });
  const sf = await startSalesforceEmulator({ seed: 'empty' });
  try {
    const cfg = loadBridgeConfig(new URL('../../fixtures/bridge.demo.json', import.meta.url).pathname);
    const number = (i: number) => `SF${String(i + 1).padStart(6, '0')}`;
    const stored = sf.control.putRecords(
      'Account',
      Array.from({ length: ACCOUNTS }, (_, i) => ({
        Name: `Reconciled Customer ${i}`,
        BillingStreet: `${i} Main Street`,
        BillingCity: 'Seattle',
        BillingState: 'WA',
        BillingPostalCode: '98101',
        BillingCountry: 'US',
        Phone: '+1 206 555 0100',
        D365_Customer_Number__c: number(i),
        D365_Legal_Entity__c: COMPANY,
        D365_Sync_Status__c: 'Synced',
      })),
    );
    // Each customer as flow 1 writes it: the Account's own mapped values, its Id in KnownAs.
    d365.control.putRows(
      'CustomersV3',
      stored.map((account, i) => {
        const read = readAccount(
          toOrgNames(account, (n) => n),
          cfg,
        );
        if (isRejection(read)) throw new Error(read.reason);
        const values = customerChanges(read, cfg);
        if (isRejection(values)) throw new Error(values.reason);
        return {
          dataAreaId: COMPANY,
          CustomerAccount: number(i),
          CustomerGroupId: '10',
          KnownAs: account.Id,
          ...values,
          ...(i % Math.round(ACCOUNTS / DRIFTED) === 0 ? { OrganizationName: `Renamed in F&O ${i}` } : {}),
        };
      }),
    );

    const d365Client = createD365Client({
      ...d365Settings(loadConfig({ NODE_ENV: 'test' })),
      url: d365.url,
      tenantId: d365.tenantId,
      clientId: d365.clientId,
      clientSecret: d365.clientSecret,
      authorityHost: 'https://login.microsoftonline.com',
      authorityMetadataOverride: { tokenEndpoint: `${d365.url}/${d365.tenantId}/oauth2/v2.0/token` },
    });
    const sfClient = createSalesforceClient({
      loginUrl: sf.loginUrl,
      clientId: sf.consumerKey,
      username: sf.username,
      privateKey: sf.privateKeyPem!,
    });
    await sfClient.identity(); // log in outside the measurement
    const measure = async (bulkThreshold: number) => {
      const config = loadConfig({ NODE_ENV: 'test', SF_BULK_THRESHOLD: String(bulkThreshold) });
      d365.control.resetCounters();
      sf.control.resetCounters();
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      const report = await reconcile(
        { flows: ['account'], companies: [COMPANY], repair: false, dryRun: true, trigger: 'cli' },
        {
          d365: d365Client,
          salesforce: sfClient,
          cfg,
          config,
          queue: { enqueueMany: async () => [] },
          runFlow: async () => undefined,
          clock: Date.now,
          log: { info: () => undefined, warn: () => undefined },
        },
      );
      return {
        report,
        seconds: Math.round(((performance.now() - t0) / 1000) * 1000) / 1000,
        rssGrowthMB: Math.round((process.memoryUsage().rss - rss0) / 2 ** 20),
        d365Requests: d365.control.counters().requests.total,
        sfCalls: sf.control.counters().apiUsed,
      };
    };
    // SOQL pages (threshold above the count), then Bulk API 2.0 query (the default threshold, 2,000).
    const soql = await measure(ACCOUNTS + 1);
    const bulk = await measure(2000);
    await d365Client.close();
    return {
      'reconcile.accounts': ACCOUNTS,
      'reconcile.drifted': DRIFTED,
      'reconcile.different': soql.report.summary.different,
      'reconcile.matched': soql.report.pairs.reduce((n, p) => n + p.counts.matched, 0),
      'reconcile.d365Requests': soql.d365Requests,
      'reconcile.sfCalls': soql.sfCalls,
      'reconcile.reportedSfRequests': soql.report.requests.salesforce,
      'reconcile.wallSeconds': soql.seconds,
      'reconcile.rssGrowthMB': soql.rssGrowthMB,
      'reconcile.bulk.different': bulk.report.summary.different,
      'reconcile.bulk.sfCalls': bulk.sfCalls,
      'reconcile.bulk.reportedSfRequests': bulk.report.requests.salesforce,
      'reconcile.bulk.wallSeconds': bulk.seconds,
    };
  } finally {
    await d365.close();
    await sf.close();
  }
}
