/**
 * The job frame around a registry entry: the record is read (parsed, validated, routed) once per
 * job and the handler gets that result; a record the read step rejects never reaches the handler,
 * and the record is marked Error with the reason. Pure unit: the write-back is a recording fake.
 */
import { describe, expect, it, vi } from 'vitest';
import { syncJobHandler } from '../../src/flows/sync/job-frame.js';
import type { SyncFlowDeps } from '../../src/flows/sync/flow.js';
import { SALESFORCE_TO_FNO } from '../../src/flows/sync/registry.js';
import type { D365Client } from '../../src/d365/index.js';
import type { Job, JobContext } from '../../src/jobs/index.js';
import { ACCOUNT_ID, account, config } from '../mapping/helpers.js';

const [accountFlow] = SALESFORCE_TO_FNO;

function harness() {
  const writes: Array<{ object: string; id: string; fields: Record<string, unknown> }> = [];
  const deps: SyncFlowDeps = {
    d365: {} as D365Client,
    bridge: config(),
    store: {} as SyncFlowDeps['store'],
    namespace: '',
    maxAttempts: 3,
    writeBack: {
      configured: true,
      write: async (object, id, fields) => void writes.push({ object, id, fields }),
      close: async () => {},
    },
  };
  const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  const ctx: JobContext = { signal: new AbortController().signal, log, attempt: 1, releaseCapacity() {} };
  const job = (payload: unknown) => ({ flow: 'account', key: ACCOUNT_ID, payload }) as Job<unknown>;
  return { writes, deps, ctx, job };
}

describe('sync job frame', () => {
  it('reads the record once and hands the result to the handler, then writes the key back', async () => {
    const { writes, deps, ctx, job } = harness();
    const read = vi.fn(accountFlow.read);
    const sync = vi.fn(async () => 'SF000001');
    await syncJobHandler({ ...accountFlow, read, sync }, deps)(job(account()), ctx);

    expect(read).toHaveBeenCalledTimes(1);
    expect(sync).toHaveBeenCalledTimes(1);
    const [record, run] = sync.mock.calls[0] as unknown as [unknown, { salesforceId: string; trace: object }];
    expect(record).toBe(read.mock.results[0]!.value);
    expect(record).toMatchObject({ ok: true, company: 'usmf', account: { Id: ACCOUNT_ID } });
    expect(run.salesforceId).toBe(ACCOUNT_ID);
    expect(run.trace).toMatchObject({ company: 'usmf' });
    expect(writes).toEqual([
      {
        object: 'Account',
        id: ACCOUNT_ID,
        fields: expect.objectContaining({
          D365_Customer_Number__c: 'SF000001',
          D365_Sync_Status__c: 'Synced',
        }),
      },
    ]);
  });

  it('a record the read step rejects never reaches the handler; the record says why', async () => {
    const { writes, deps, ctx, job } = harness();
    const sync = vi.fn(async () => 'SF000001');
    const run = syncJobHandler({ ...accountFlow, sync }, deps)(
      job(account({ D365_Legal_Entity__c: 'nowhere' })),
      ctx,
    );

    await expect(run).rejects.toMatchObject({ name: 'PermanentJobError', code: 'UNMAPPED_LEGAL_ENTITY' });
    expect(sync).not.toHaveBeenCalled();
    expect(writes).toEqual([
      {
        object: 'Account',
        id: ACCOUNT_ID,
        fields: {
          D365_Sync_Status__c: 'Error',
          D365_Sync_Error__c: expect.stringContaining('UNMAPPED_LEGAL_ENTITY'),
        },
      },
    ]);
  });
});
