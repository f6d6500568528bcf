import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildApp } from '../../src/app.js';
import { D365NotConfiguredError } from '../../src/flows/inventory/errors.js';
import { ProblemError } from '../../src/http/problem.js';
import { capturingLogger, testConfig } from './helpers.js';

const KEY = 'dev-key-0123456789abcdef';
const auth = { authorization: `Bearer ${KEY}` };
let app: FastifyInstance;
const captured = capturingLogger();

beforeAll(async () => {
  app = await buildApp({
    config: testConfig({ INBOUND_API_KEYS: KEY, BODY_LIMIT_BYTES: '2048' }),
    logger: captured.logger,
    parts: [
      {
        name: 'error-probes',
        routes: async (a) => {
          a.post(
            '/v1/echo',
            {
              config: { auth: 'callout' },
              schema: { body: z.object({ records: z.array(z.object({ Id: z.string().min(15) })).max(2) }) },
            },
            async (req) => req.body,
          );
          a.get('/v1/boom', { config: { auth: 'callout' } }, async () => {
            throw new Error('database password=hunter2 leaked in a stack');
          });
          a.get('/v1/no-fo', { config: { auth: 'callout' } }, async () => {
            throw new D365NotConfiguredError();
          });
          a.get('/v1/busy', { config: { auth: 'callout' } }, async () => {
            throw new ProblemError({
              status: 503,
              code: 'D365_THROTTLED',
              title: 'F&O is busy',
              detail: 'Try later.',
              retryAfterS: 42,
            });
          });
        },
      },
    ],
  });
});
afterAll(() => app.close());

describe('problem+json errors', () => {
  it('names the offending field of a validation error', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: auth,
      payload: { records: [{ Id: 'short' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Validation failed' });
    expect(body.errors[0].path).toBe('body.records.0.Id');
    expect(body.detail).toContain('body.records.0.Id');
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers malformed JSON with a 400 MALFORMED_JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"records": [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('MALFORMED_JSON');
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ records: [{ Id: 'x'.repeat(5000) }] }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('hides the message and stack of an unexpected error but logs it with the request id', async () => {
    const res = await app.inject({ url: '/v1/boom', headers: { ...auth, 'x-request-id': 'sf-req-123' } });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toMatchObject({ code: 'INTERNAL_ERROR', requestId: 'sf-req-123' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('at ');
    expect(captured.lines.some((l) => l.includes('sf-req-123') && l.includes('request failed'))).toBe(true);
  });

  it('passes Retry-After through on a 503', async () => {
    const res = await app.inject({ url: '/v1/busy', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('42');
    expect(res.json()).toMatchObject({
      code: 'D365_THROTTLED',
      type: expect.stringContaining('d365-throttled'),
    });
  });

  it('maps a domain error a route lets through to its status and code', async () => {
    const res = await app.inject({ url: '/v1/no-fo', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 503,
      code: 'D365_NOT_CONFIGURED',
      title: 'F&O is not configured',
    });
  });

  it('answers unknown public paths with a problem+json 404', async () => {
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});
