import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { login, requestToken, restClient, signAssertion } from './test-helpers.js';

describe('Salesforce emulator: OAuth 2.0 JWT bearer', () => {
  let emu: SalesforceEmulator;
  const good = () => ({ iss: emu.consumerKey, sub: emu.username, aud: emu.loginUrl });

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty' });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('issues a token for a correctly signed assertion', async () => {
    const { status, body } = await requestToken(emu, await signAssertion(emu.privateKeyPem!, good()));
    expect(status).toBe(200);
    expect(body).toMatchObject({ instance_url: emu.url, token_type: 'Bearer', scope: 'api' });
    expect(body.access_token).toMatch(/^00D\w{12}!/);
    expect(body.id).toMatch(new RegExp(`^${emu.url}/id/00D\\w{15}/005\\w{15}$`));
    expect(Number(body.issued_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.signature).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('accepts an exp in milliseconds, as @salesforce/core signs it and real orgs accept it', async () => {
    const { status, body } = await requestToken(
      emu,
      await signAssertion(emu.privateKeyPem!, { ...good(), exp: Date.now() + 300 }),
    );
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^00D\w{12}!/);
  });

  it('accepts an assertion signed for the connected app certificate given at start', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const other = await startSalesforceEmulator({ seed: 'empty', certificatePem: pem });
    try {
      expect(other.privateKeyPem).toBeUndefined();
      const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const ok = await requestToken(
        other,
        await signAssertion(key, { iss: other.consumerKey, sub: other.username, aud: other.loginUrl }),
      );
      expect(ok.status).toBe(200);
      const wrongKey = await requestToken(
        other,
        await signAssertion(emu.privateKeyPem!, {
          iss: other.consumerKey,
          sub: other.username,
          aud: other.loginUrl,
        }),
      );
      expect(wrongKey.body).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
    } finally {
      await other.close();
    }
  });

  const cases: Array<
    [string, () => Promise<{ status: number; body: Record<string, string> }>, string, string]
  > = [
    [
      'unknown consumer key',
      async () =>
        requestToken(emu, await signAssertion(emu.privateKeyPem!, { ...good(), iss: 'someone-else' })),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'wrong audience',
      async () =>
        requestToken(
          emu,
          await signAssertion(emu.privateKeyPem!, { ...good(), aud: 'https://evil.example' }),
        ),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'expired assertion',
      async () => requestToken(emu, await signAssertion(emu.privateKeyPem!, { ...good(), expiresIn: -5 })),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'unknown user',
      async () =>
        requestToken(
          emu,
          await signAssertion(emu.privateKeyPem!, { ...good(), sub: 'nobody@bridge.example' }),
        ),
      'invalid_grant',
      'invalid assertion',
    ],
    ['garbage assertion', async () => requestToken(emu, 'not-a-jwt'), 'invalid_grant', 'invalid assertion'],
    [
      'wrong grant type',
      async () => requestToken(emu, await signAssertion(emu.privateKeyPem!, good()), 'password'),
      'unsupported_grant_type',
      'grant type not supported',
    ],
  ];
  for (const [name, call, error, description] of cases) {
    it(`refuses ${name} with 400 ${error}`, async () => {
      const { status, body } = await call();
      expect(status).toBe(400);
      expect(body).toEqual({ error, error_description: description });
    });
  }

  it('refuses a user who is not pre-authorised, and a disabled app', async () => {
    emu.control.setAuth({ preauthorized: false });
    const a = await requestToken(emu, await signAssertion(emu.privateKeyPem!, good()));
    expect(a.body).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
    emu.control.setAuth({ preauthorized: true, appEnabled: false });
    const b = await requestToken(emu, await signAssertion(emu.privateKeyPem!, good()));
    expect(b.body).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    emu.control.setAuth({ appEnabled: true });
  });

  it('answers 401 INVALID_SESSION_ID without a token, with a bad token, and after sessions expire', async () => {
    const token = await login(emu);
    const sf = restClient(emu, token);
    expect((await sf('GET', 'limits')).status).toBe(200);
    const expected = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] }];
    const bad = await restClient(emu, 'nope')('GET', 'limits');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(expected);
    expect(emu.control.expireSessions()).toBeGreaterThan(0);
    const expired = await sf('GET', 'limits');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(expected);
    const fresh = restClient(emu, await login(emu));
    expect((await fresh('GET', 'limits')).status).toBe(200);
  });
});
