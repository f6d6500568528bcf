import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import {
  generateSigningCertificate,
  signCalloutJwt,
  type SigningMaterial,
} from '../../../test/support/signing.js';
import { capturingLogger, testConfig } from './helpers.js';

const ISSUER = '3MVG9-salesforce-external-credential';
const AUDIENCE = 'https://bridge.example.com';
const DEV_KEY = 'dev-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';

let sf: SigningMaterial;
let stranger: SigningMaterial;
let app: FastifyInstance;
const captured = capturingLogger();

beforeAll(async () => {
  sf = generateSigningCertificate('salesforce-callouts');
  stranger = generateSigningCertificate('someone-else');
  app = await buildApp({
    config: testConfig({
      INBOUND_JWT_CERT: sf.certificatePem,
      INBOUND_JWT_ISSUER: ISSUER,
      INBOUND_JWT_AUDIENCE: AUDIENCE,
      INBOUND_API_KEYS: DEV_KEY,
      ADMIN_API_KEYS: ADMIN_KEY,
    }),
    logger: captured.logger,
    parts: [
      {
        name: 'admin-probe',
        routes: async (a) => {
          a.get('/v1/admin-probe', { config: { auth: 'admin' } }, async (req) => ({
            principal: req.principal?.kind,
          }));
          a.get('/v1/widget-probe', { config: { auth: 'widget' } }, async () => ({ reached: 'widget' }));
          a.post('/v1/sync-probe', { config: { auth: 'callout' } }, async () => ({ reached: 'sync' }));
        },
      },
    ],
  });
});
afterAll(() => app.close());

const ping = (authorization?: string) =>
  app.inject({ method: 'GET', url: '/v1/ping', headers: authorization ? { authorization } : {} });

function expect401(res: Awaited<ReturnType<typeof ping>>) {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized' });
  expect(body.requestId).toBeTypeOf('string');
  // The reason is logged, never told to the caller.
  expect(JSON.stringify(body)).not.toMatch(/expired|signature|audience|claim/);
}

describe('inbound authentication on /v1', () => {
  it('accepts a JWT signed by the pinned Salesforce certificate', async () => {
    const token = await signCalloutJwt(sf.privateKeyPem, {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: '005xx0000012345',
      scope: 'inventory',
    });
    const res = await ping(`Bearer ${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', principal: 'salesforce', subject: '005xx0000012345' });
  });

  it('accepts a pinned SPKI public key instead of a certificate', async () => {
    const other = await buildApp({
      config: testConfig({
        INBOUND_JWT_CERT: sf.publicKeyPem,
        INBOUND_JWT_ISSUER: ISSUER,
        INBOUND_JWT_AUDIENCE: AUDIENCE,
      }),
      logger: capturingLogger().logger,
    });
    try {
      const token = await signCalloutJwt(sf.privateKeyPem, {
        iss: ISSUER,
        aud: AUDIENCE,
        scope: 'inventory',
      });
      const res = await other.inject({ url: '/v1/ping', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('accepts the old and the new certificate while rotating (two PEM blocks)', async () => {
    const next = generateSigningCertificate('salesforce-callouts-2');
    const rotating = await buildApp({
      config: testConfig({
        INBOUND_JWT_CERT: `${sf.certificatePem}\n${next.certificatePem}`,
        INBOUND_JWT_ISSUER: ISSUER,
        INBOUND_JWT_AUDIENCE: AUDIENCE,
      }),
      logger: capturingLogger().logger,
    });
    try {
      for (const key of [sf.privateKeyPem, next.privateKeyPem]) {
        const token = await signCalloutJwt(key, { iss: ISSUER, aud: AUDIENCE, scope: 'inventory' });
        const res = await rotating.inject({ url: '/v1/ping', headers: { authorization: `Bearer ${token}` } });
        expect(res.statusCode).toBe(200);
      }
      const foreign = await signCalloutJwt(stranger.privateKeyPem, {
        iss: ISSUER,
        aud: AUDIENCE,
        scope: 'inventory',
      });
      expect401(await rotating.inject({ url: '/v1/ping', headers: { authorization: `Bearer ${foreign}` } }));
    } finally {
      await rotating.close();
    }
  });

  it('refuses a request without credentials', async () => {
    expect401(await ping());
  });

  it('refuses unknown /v1 paths with the same 401, so probing reveals no routes', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/no-such-route' });
    expect401(res);
  });

  it('refuses a token signed by another key', async () => {
    expect401(
      await ping(`Bearer ${await signCalloutJwt(stranger.privateKeyPem, { iss: ISSUER, aud: AUDIENCE })}`),
    );
  });

  it('refuses a token for another audience', async () => {
    expect401(
      await ping(
        `Bearer ${await signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: 'https://evil.example' })}`,
      ),
    );
  });

  it('refuses a token from another issuer', async () => {
    expect401(
      await ping(`Bearer ${await signCalloutJwt(sf.privateKeyPem, { iss: 'someone', aud: AUDIENCE })}`),
    );
  });

  it('refuses an expired token (beyond the clock skew)', async () => {
    const iat = Math.floor(Date.now() / 1000) - 3600;
    expect401(
      await ping(
        `Bearer ${await signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, iat, expiresInS: 120 })}`,
      ),
    );
  });

  it('refuses a token that lives far longer than a callout token should', async () => {
    expect401(
      await ping(
        `Bearer ${await signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, expiresInS: 30 * 24 * 3600 })}`,
      ),
    );
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}.`;
    expect401(await ping(`Bearer ${unsigned}`));
  });

  it('refuses an HS256 token that uses the public certificate as the HMAC secret', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode(sf.certificatePem));
    expect401(await ping(`Bearer ${token}`));
  });

  it('accepts a development API key and refuses a wrong one', async () => {
    expect((await ping(`Bearer ${DEV_KEY}`)).json()).toMatchObject({ principal: 'dev-key' });
    expect401(await ping(`Bearer ${DEV_KEY}x`));
    expect401(await ping(`Basic ${Buffer.from(`u:${DEV_KEY}`).toString('base64')}`));
  });

  it('keeps admin routes for admin keys: the callout credential is not enough', async () => {
    expect401(await app.inject({ url: '/v1/admin-probe', headers: { authorization: `Bearer ${DEV_KEY}` } }));
    const token = await signCalloutJwt(sf.privateKeyPem, {
      iss: ISSUER,
      aud: AUDIENCE,
      scope: 'sync',
      jti: randomUUID(),
    });
    expect401(await app.inject({ url: '/v1/admin-probe', headers: { authorization: `Bearer ${token}` } }));
    const ok = await app.inject({
      url: '/v1/admin-probe',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ principal: 'admin' });
  });

  it('leaves health, docs and metrics open', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/docs/json' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('never writes a credential to the log', async () => {
    await ping(`Bearer ${DEV_KEY}`);
    await ping(`Bearer ${DEV_KEY}-wrong`);
    await app.inject({ url: '/v1/admin-probe', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const all = captured.lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(DEV_KEY);
    expect(all).not.toContain(ADMIN_KEY);
    expect(all).toContain('authentication refused');
  });
});

describe('scopes: the widget and the sync path hold different credentials', () => {
  const widgetToken = () =>
    signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, scope: 'inventory' });
  const syncToken = (jti: string | null = randomUUID()) =>
    signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, scope: 'sync', ...(jti ? { jti } : {}) });
  const call = (method: 'GET' | 'POST', url: string, token: string) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

  it('a widget token reads inventory and cannot sync', async () => {
    expect((await call('GET', '/v1/widget-probe', await widgetToken())).statusCode).toBe(200);
    const refused = await call('POST', '/v1/sync-probe', await widgetToken());
    expect401(refused);
    expect(refused.body).not.toContain('reached');
  });

  it('a sync token syncs and cannot read inventory', async () => {
    expect((await call('POST', '/v1/sync-probe', await syncToken())).json()).toEqual({ reached: 'sync' });
    expect401(await call('GET', '/v1/widget-probe', await syncToken()));
  });

  it('a token without a known scope opens nothing', async () => {
    const none = await signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE });
    const odd = await signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, scope: 'admin' });
    for (const token of [none, odd]) {
      expect401(await call('GET', '/v1/widget-probe', token));
      expect401(await call('POST', '/v1/sync-probe', token));
      expect401(await call('GET', '/v1/admin-probe', token));
    }
  });

  it('a sync token is good once: a replayed jti is refused, a missing one too', async () => {
    const token = await syncToken();
    expect((await call('POST', '/v1/sync-probe', token)).statusCode).toBe(200);
    const replay = await call('POST', '/v1/sync-probe', token);
    expect401(replay);
    expect(replay.body).not.toContain('reached');
    // The same jti in a freshly signed token is the same callout replayed, too.
    const jti = randomUUID();
    expect((await call('POST', '/v1/sync-probe', await syncToken(jti))).statusCode).toBe(200);
    expect401(await call('POST', '/v1/sync-probe', await syncToken(jti)));
    expect401(await call('POST', '/v1/sync-probe', await syncToken(null)));
    expect(captured.lines.join('\n')).toContain('token jti was already used');
  });

  it('accepts the jti the package formula makes (user id and two timestamps, with spaces)', async () => {
    const jti = `005xx000001Sv6AAAS-2026-12-04 03:15:22Z-03:15:22.${String(Date.now() % 1000).padStart(3, '0')}Z`;
    expect((await call('POST', '/v1/sync-probe', await syncToken(jti))).statusCode).toBe(200);
    expect401(await call('POST', '/v1/sync-probe', await syncToken(jti)));
  });

  it('a development key opens the widget and sync routes, never the admin ones', async () => {
    expect((await call('GET', '/v1/widget-probe', DEV_KEY)).statusCode).toBe(200);
    expect((await call('POST', '/v1/sync-probe', DEV_KEY)).statusCode).toBe(200);
    expect401(await call('GET', '/v1/admin-probe', DEV_KEY));
  });

  it('an admin key opens admin routes only', async () => {
    expect401(await call('GET', '/v1/widget-probe', ADMIN_KEY));
    expect401(await call('POST', '/v1/sync-probe', ADMIN_KEY));
  });
});
