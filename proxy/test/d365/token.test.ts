import { afterEach, describe, it, expect } from 'vitest';
import { D365AuthError } from '../../src/d365/errors.js';
import { audienceCheck } from '../../src/d365/token/audience.js';
import { buildAuthority } from '../../src/d365/token/authority.js';
import { createMsalFetcher } from '../../src/d365/token/msal-fetcher.js';
import { TokenCache } from '../../src/d365/token/token-cache.js';
import { clientFor, fakeJwt, json, startServer, type TestServer } from './helpers.js';

const ENV = 'https://contoso.operations.dynamics.com';
let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function tokenEndpoint(expiresIn = 3599, delayMs = 30): Promise<TestServer> {
  const s = await startServer(async (req, res, n) => {
    await new Promise((r) => setTimeout(r, delayMs));
    const form = new URLSearchParams(req.body);
    json(res, 200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: fakeJwt(String(form.get('scope')).replace('/.default', ''), { n }),
    });
  });
  servers.push(s);
  return s;
}

describe('MSAL token source', () => {
  it('100 concurrent cold callers → exactly one token POST, with the /.default scope', async () => {
    const idp = await tokenEndpoint();
    const fetcher = createMsalFetcher({
      tenantId: 'bridge-tenant',
      clientId: 'bridge-demo',
      clientSecret: 'bridge-demo-secret',
      authorityHost: 'https://login.microsoftonline.com',
      resource: ENV,
      tokenEndpointOverride: `${idp.url}/bridge-tenant/oauth2/v2.0/token`,
    });
    const cache = new TokenCache({ fetch: fetcher });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cache.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(idp.requests).toHaveLength(1);
    const form = new URLSearchParams(idp.requests[0]!.body);
    expect(idp.requests[0]!.url.split('?')[0]).toBe('/bridge-tenant/oauth2/v2.0/token');
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe(`${ENV}/.default`);
    expect(audienceCheck(tokens[0]!, `${ENV.toUpperCase()}/`).ok).toBe(true);
  });

  it("keeps serving the held token through a 503 from Entra ID and MSAL's 60 s throttle that follows", async () => {
    const idp = await startServer((_req, res, n) => {
      if (n === 1)
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: fakeJwt(ENV, { n }) });
      json(res, 503, { error: 'temporarily_unavailable' }, { 'Retry-After': '60' });
    });
    servers.push(idp);
    let now = Date.now();
    const cache = new TokenCache({
      now: () => now,
      retryIntervalMs: 1000,
      fetch: createMsalFetcher({
        tenantId: 'bridge-tenant',
        clientId: 'bridge-demo',
        clientSecret: 'bridge-demo-secret',
        authorityHost: 'https://login.microsoftonline.com',
        resource: ENV,
        tokenEndpointOverride: `${idp.url}/bridge-tenant/oauth2/v2.0/token`,
      }),
    });
    const first = await cache.getToken();
    now += 3_400_000; // < 5 min left: refresh, which gets the 503
    expect(await cache.getToken()).toBe(first);
    await new Promise((r) => setTimeout(r, 100));
    now += 150_000; // 50 s left: callers wait for a refresh; MSAL now refuses without asking
    expect(await cache.getToken()).toBe(first);
    expect(cache.status().lastError).toBeDefined();
    expect(idp.requests).toHaveLength(2); // the third refresh was refused by MSAL itself
  });

  it('builds discovery-free authority metadata from the authority host itself', () => {
    const a = buildAuthority('https://127.0.0.1:4443/', 'bridge-tenant');
    expect(a.authority).toBe('https://127.0.0.1:4443/bridge-tenant');
    expect(a.knownAuthorities).toEqual(['127.0.0.1:4443']);
    const meta = JSON.parse(a.authorityMetadata);
    expect(meta.token_endpoint).toBe('https://127.0.0.1:4443/bridge-tenant/oauth2/v2.0/token');
    expect(JSON.stringify(meta)).not.toContain('microsoftonline');
    expect(() => buildAuthority('http://127.0.0.1', 't')).toThrow(/https/);
  });
});

describe('TokenCache', () => {
  function fakeSource(lifetimeMs: number) {
    let calls = 0;
    let fail = false;
    return {
      get calls() {
        return calls;
      },
      set fail(v: boolean) {
        fail = v;
      },
      fetch: async () => {
        calls += 1;
        if (fail) throw Object.assign(new Error('503 from token endpoint'), { errorCode: 'server_error' });
        return { accessToken: `token-${calls}`, expiresInMs: lifetimeMs };
      },
    };
  }

  it('serves the cached token, refreshes in the background within 5 min of expiry and waits when nearly expired', async () => {
    let now = 0;
    const src = fakeSource(3_600_000);
    const cache = new TokenCache({ fetch: src.fetch, now: () => now });
    expect(await cache.getToken()).toBe('token-1');
    now = 3_000_000; // 10 min left
    expect(await cache.getToken()).toBe('token-1');
    expect(src.calls).toBe(1);
    now = 3_310_000; // < 5 min left: background refresh, old token served meanwhile
    expect(await cache.getToken()).toBe('token-1');
    await new Promise((r) => setImmediate(r));
    expect(src.calls).toBe(2);
    expect(await cache.getToken()).toBe('token-2');
  });

  it('keeps serving a valid token when the refresh fails, and tries again later', async () => {
    let now = 0;
    const src = fakeSource(3_600_000);
    const cache = new TokenCache({ fetch: src.fetch, now: () => now, retryIntervalMs: 30_000 });
    await cache.getToken();
    src.fail = true;
    now = 3_400_000;
    expect(await cache.getToken()).toBe('token-1');
    await new Promise((r) => setImmediate(r));
    expect(src.calls).toBe(2);
    expect(await cache.getToken()).toBe('token-1'); // within the retry interval: no new request
    expect(src.calls).toBe(2);
    now = 3_590_000; // 10 s left: callers must wait for a fetch, which fails, but the token is still valid
    expect(await cache.getToken()).toBe('token-1');
    now = 3_600_001;
    await expect(cache.getToken()).rejects.toBeInstanceOf(D365AuthError);
    src.fail = false;
    expect(await cache.getToken()).toMatch(/^token-/);
    expect(cache.status().state).toBe('valid');
  });

  it('a bad secret is not transient', async () => {
    const cache = new TokenCache({
      fetch: async () => {
        throw Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), {
          errorCode: 'invalid_client',
        });
      },
    });
    const err = await cache.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365AuthError);
    expect((err as D365AuthError).transient).toBe(false);
  });

  it('invalidate(token) drops only that token', async () => {
    const src = fakeSource(3_600_000);
    const cache = new TokenCache({ fetch: src.fetch });
    const t1 = await cache.getToken();
    cache.invalidate('some-older-token');
    expect(await cache.getToken()).toBe(t1);
    cache.invalidate(t1);
    expect(await cache.getToken()).toBe('token-2');
  });
});

describe('F&O 401 recovery', () => {
  it('invalidates the token on a 401 and retries the call once with a new one', async () => {
    const seen: string[] = [];
    const fo = await startServer((req, res, n) => {
      seen.push(String(req.headers.authorization));
      if (n === 1) return json(res, 401, { Message: 'Authentication failed.', StackTrace: null });
      json(res, 200, { value: [] });
    });
    servers.push(fo);
    const client = clientFor(fo.url);
    expect(await client.odata.query('CustomersV3').all()).toEqual([]);
    expect(fo.requests).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(client.token.status().requests).toBe(2);
    await client.close();
  });

  it('a second 401 with a fresh token is a non-transient auth error', async () => {
    const fo = await startServer((_req, res) => json(res, 401, { Message: 'Authentication failed.' }));
    servers.push(fo);
    const client = clientFor(fo.url);
    const err = await client.odata
      .query('CustomersV3')
      .all()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365AuthError);
    expect((err as D365AuthError).transient).toBe(false);
    expect((err as D365AuthError).message).toMatch(/Microsoft Entra ID applications/);
    expect(fo.requests).toHaveLength(2);
    await client.close();
  });

  it('readiness reports an audience mismatch', async () => {
    const fo = await startServer((_req, res) => json(res, 200, { value: [] }));
    servers.push(fo);
    const client = clientFor(fo.url, {
      tokenFetcher: async () => ({ accessToken: fakeJwt(`${fo.url}/`), expiresInMs: 3_600_000 }),
    });
    const r = await client.readiness();
    expect(r.ok).toBe(false);
    expect(r.detail.audience).toMatchObject({ ok: false, expected: fo.url, actual: `${fo.url}/` });
    await client.close();
  });
});
