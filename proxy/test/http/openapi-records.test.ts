/**
 * The OpenAPI document describes what each sync route takes: a typed record (not `{}`) with an
 * example, the example is the package's contract fixture, and it validates against both the
 * documented JSON Schema and the door.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createMetrics } from '../../src/metrics.js';
import { createParts } from '../../src/runtime.js';
import { SALESFORCE_TO_FNO as SYNC_ROUTES } from '../../src/flows/sync/registry.js';
import { incomingRecord } from '../../src/flows/intake/salesforce-records.js';
import { contractFixture } from '../../../test/support/contract-fixtures.js';
import { testConfig } from './helpers.js';

const FIXTURE: Record<string, string> = {
  '/v1/sync/accounts': 'BridgeContract_SyncAccountsRequest',
  '/v1/sync/contacts': 'BridgeContract_SyncContactsRequest',
  '/v1/orders': 'BridgeContract_OrdersRequest',
};

const KEY = 'dev-key-0123456789abcdef';
let app: FastifyInstance;
let document: any;
beforeAll(async () => {
  const config = testConfig({ LOG_LEVEL: 'silent', INBOUND_API_KEYS: KEY });
  const logger = pino({ level: 'silent' });
  const registry = createMetrics({ defaultMetrics: false });
  const parts = await createParts(config, { logger, registry, startWorkers: false });
  app = await buildApp({ config, logger, registry, parts });
  await app.ready();
  document = app.swagger();
});
afterAll(async () => app?.close());

/** The generated JSON Schema of one record of `path`'s body. */
const recordSchema = (path: string) =>
  document.paths[path].post.requestBody.content['application/json'].schema.properties.records.items;

/** Validates `value` against a JSON Schema with Fastify's own (Ajv) validator, not zod. */
async function validateJsonSchema(schema: object, value: unknown): Promise<{ ok: boolean; body: string }> {
  const app = Fastify();
  app.post('/', { schema: { body: schema } }, async () => ({ ok: true }));
  const res = await app.inject({ method: 'POST', url: '/', payload: value as object });
  await app.close();
  return { ok: res.statusCode === 200, body: res.body };
}

describe('OpenAPI: sync request records', () => {
  it('covers every sync route', () => {
    expect(SYNC_ROUTES.map((r) => r.path).sort()).toEqual(Object.keys(FIXTURE).sort());
  });

  for (const route of SYNC_ROUTES) {
    describe(route.path, () => {
      it('documents a typed record with its fields described', () => {
        const schema = recordSchema(route.path);
        expect(schema.type).toBe('object');
        expect(schema.required).toEqual(expect.arrayContaining(['Id', 'SystemModstamp']));
        expect(schema.description).toContain(route.sobject);
        for (const field of ['Id', 'SystemModstamp', 'D365_Sync_Status__c'])
          expect(schema.properties[field]?.description, field).toBeTruthy();
        // Fields the schema does not list pass through (the mapping ignores unknown fields).
        expect(schema.additionalProperties).toEqual({});
      });

      it('has an example that is the contract fixture and validates', async () => {
        const schema = recordSchema(route.path);
        const example = schema.example;
        expect(example).toEqual(contractFixture(FIXTURE[route.path]!).records[0]);
        expect(route.record.safeParse(example).success).toBe(true);
        expect(incomingRecord.safeParse(example).success).toBe(true);
        const { example: _example, ...withoutExample } = schema;
        const checked = await validateJsonSchema(withoutExample, example);
        expect(checked, checked.body).toMatchObject({ ok: true });
      });

      it('the JSON Schema is not a test that passes anything', async () => {
        const { example, ...schema } = recordSchema(route.path);
        const checked = await validateJsonSchema(schema, { ...example, Id: 42 });
        expect(checked.ok).toBe(false);
      });
    });
  }

  it('the door stays loose: a record the documented schema rejects is still accepted, alone', async () => {
    // Name as a number breaks the documented Account but not the intake: the job's mapping rejects it.
    const [good, other] = contractFixture('BridgeContract_SyncAccountsRequest').records;
    const odd = { ...other, Name: 42 };
    expect(SYNC_ROUTES[0].record.safeParse(odd).success).toBe(false);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sync/accounts',
      headers: { authorization: `Bearer ${KEY}` },
      payload: { records: [good, odd, { Id: 'not an id' }] },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'accepted',
      'rejected',
    ]);
  });
});
