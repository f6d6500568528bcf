import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { SfRecord } from './data/store.js';
import { RecordStore } from './data/store.js';
import { seedOrg } from './data/seed.js';
import { SessionStore } from './auth/sessions.js';
import { publicKeyFromPem } from './auth/jwt-bearer.js';
import { FaultBox } from './faults.js';
import { IdFactory, to18 } from './ids.js';
import { Schema } from './metadata/schema.js';
import { INTEGRATION_USERNAME, type ResolvedOptions, type SeedName } from './options.js';
import type { BulkJobs } from './bulk/jobs.js';
import type { BulkQueryJobs } from './bulk/query-jobs.js';

/** API call kinds counted by the emulator (`control.counters().byKind`). */
export type CallKind =
  | 'token'
  | 'sobject'
  | 'upsert'
  | 'collections'
  | 'query'
  | 'bulk'
  | 'limits'
  | 'describe'
  | 'event'
  | 'composite'
  | 'other';

export interface Usage {
  apiUsed: number;
  dailyApiLimit: number;
  maxConcurrentLongRunning: number;
  longRunningMs: number;
  latencyMs: number;
}

/** Everything the emulator knows; routes and the control API share one instance. */
export class EmulatorState {
  readonly schema: Schema;
  readonly ids = new IdFactory();
  readonly store: RecordStore;
  readonly orgId = to18('00DDn0000000001');
  readonly sessions = new SessionStore(this.orgId);
  readonly faults = new FaultBox();
  readonly usage: Usage;
  readonly counters = new Map<string, number>();
  /** Marks a composite call's subrequests (run through the server again) so they are not counted twice. */
  readonly subrequestHeader = 'x-sf-emulator-subrequest';
  readonly subrequestSecret = randomUUID();
  readonly auth = { preauthorized: true, appEnabled: true, tokenGrants: 0, tokenFailures: 0 };
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string | undefined;
  /** Query cursors for `nextRecordsUrl` (locator → remaining records). */
  readonly cursors = new Map<string, { records: SfRecord[]; totalSize: number }>();
  bulk!: BulkJobs;
  bulkQuery!: BulkQueryJobs;
  url = '';
  private integrationUser = '';

  constructor(
    readonly options: ResolvedOptions,
    certificatePem: string | undefined,
  ) {
    this.schema = new Schema({ forceAppDir: options.forceAppDir, namespace: options.namespace });
    this.store = new RecordStore(this.schema, this.ids, () => this.integrationUser);
    this.usage = {
      apiUsed: 0,
      dailyApiLimit: options.dailyApiLimit,
      maxConcurrentLongRunning: options.maxConcurrentLongRunning,
      longRunningMs: options.longRunningMs,
      latencyMs: options.latencyMs,
    };
    if (certificatePem) {
      this.publicKey = publicKeyFromPem(certificatePem);
    } else {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.publicKey = pair.publicKey;
      this.privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    this.reset(options.seed);
  }

  get integrationUserId(): string {
    return this.integrationUser;
  }

  /** Clears data, cursors, jobs and events; keeps sessions, FLS and usage counters. */
  reset(seed: SeedName): void {
    this.store.clear();
    this.ids.reset();
    this.cursors.clear();
    this.bulk?.clear();
    this.bulkQuery?.clear();
    const users = this.schema.object('User')!;
    const user = this.store.putRaw(users, {
      Username: INTEGRATION_USERNAME,
      FirstName: 'Integration',
      LastName: 'User',
      Name: 'Integration User',
      Email: INTEGRATION_USERNAME,
      Alias: 'integ',
      IsActive: true,
    });
    this.integrationUser = user.Id as string;
    this.store.putRaw(users, {
      Username: 'admin@bridge.example',
      FirstName: 'Ada',
      LastName: 'Admin',
      Name: 'Ada Admin',
      Email: 'admin@bridge.example',
      Alias: 'aadmin',
      IsActive: true,
    });
    this.store.putRaw(this.schema.object('Organization')!, {
      Id: this.orgId,
      Name: 'F&O Bridge Emulator',
      InstanceName: 'EMU1',
      IsSandbox: false,
      TrialExpirationDate: null,
      NamespacePrefix: null, // a subscriber org of the package has no namespace of its own
      OrganizationType: 'Developer Edition',
      LanguageLocaleKey: 'en_US',
      TimeZoneSidKey: 'GMT',
    });
    seedOrg(this.store, seed);
  }

  findUser(username: string): { Id: string } | undefined {
    const users = this.schema.object('User')!;
    const f = users.fields.get('username')!;
    const hit = this.store.findBy(users, f, username)[0];
    return hit && hit.IsActive !== false ? { Id: hit.Id as string } : undefined;
  }

  count(kind: string): void {
    this.counters.set(kind, (this.counters.get(kind) ?? 0) + 1);
  }

  limitInfo(): string {
    return `api-usage=${this.usage.apiUsed}/${this.usage.dailyApiLimit}`;
  }
}
