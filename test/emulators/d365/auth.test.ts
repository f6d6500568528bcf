import { rootCertificates } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startD365Emulator, type D365Emulator } from './index.js';
import { getToken } from './test-helpers.js';

let emu: D365Emulator;

beforeAll(async () => {
  emu = await startD365Emulator({ timeScale: 0.01, seed: 'empty' });
});
afterAll(async () => emu.close());

async function tokenRequest(path: string, form: Record<string, string>) {
  const res = await fetch(`${emu.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const v2 = (extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: 'bridge-demo',
  client_secret: 'bridge-demo-secret',
  scope: `${emu.url}/.default`,
  ...extra,
});

function httpsGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Entra ID token endpoint', () => {
  it('issues an RS256 v2 token whose aud is the environment URL and which works on /data', async () => {
    const { status, json } = await tokenRequest(`/${emu.tenantId}/oauth2/v2.0/token`, v2());
    expect(status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const claims = decodeJwt(json.access_token);
    expect(claims).toMatchObject({ aud: emu.url.toLowerCase(), tid: 'bridge-tenant', appid: 'bridge-demo' });
    expect(typeof claims.oid).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(3599);
    const res = await fetch(`${emu.url}/data/LegalEntities`, {
      headers: { authorization: `Bearer ${json.access_token}` },
    });
    expect(res.status).toBe(200);
  });

  it('accepts v1 requests with resource= (trailing slash and case ignored) and answers with string numbers', async () => {
    const { status, json } = await tokenRequest(`/${emu.tenantId}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: 'bridge-demo',
      client_secret: 'bridge-demo-secret',
      resource: `${emu.url.toUpperCase().replace('HTTP', 'http')}/`,
    });
    expect(status).toBe(200);
    expect(json.expires_in).toBe('3599');
    const res = await fetch(`${emu.url}/data/LegalEntities`, {
      headers: { authorization: `Bearer ${json.access_token}` },
    });
    expect(res.status).toBe(200);
  });

  it('a token for the https base URL works on the http base URL', async () => {
    const token = await getToken(emu, emu.httpsUrl);
    const res = await fetch(`${emu.url}/data/LegalEntities`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('answers AADSTS errors for a wrong secret, an unknown client, a foreign scope, a bad scope and an unknown tenant', async () => {
    const wrongSecret = await tokenRequest(
      `/${emu.tenantId}/oauth2/v2.0/token`,
      v2({ client_secret: 'nope' }),
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(wrongSecret.json.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(wrongSecret.json.trace_id).toMatch(/^[0-9a-f-]{36}$/);

    const unknown = await tokenRequest(
      `/${emu.tenantId}/oauth2/v2.0/token`,
      v2({ client_id: 'someone-else' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });

    const foreign = await tokenRequest(
      `/${emu.tenantId}/oauth2/v2.0/token`,
      v2({ scope: 'https://contoso.operations.dynamics.com/.default' }),
    );
    expect(foreign.status).toBe(400);
    expect(foreign.json.error_codes).toEqual([500011]);

    const notDefault = await tokenRequest(
      `/${emu.tenantId}/oauth2/v2.0/token`,
      v2({ scope: `${emu.url}/user_impersonation` }),
    );
    expect(notDefault.json).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });

    const tenant = await tokenRequest('/other-tenant/oauth2/v2.0/token', v2());
    expect(tenant.json.error_codes).toEqual([90002]);
  });

  it('rejects /data calls without a token, with a garbage token or with a token for another environment', async () => {
    const none = await fetch(`${emu.url}/data/CustomersV3`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      Message: 'Authentication failed.',
      StackTrace: null,
      ExceptionType: 'System.InvalidOperationException',
    });
    expect(none.headers.get('p3p')).toContain('No P3P policy defined');

    const garbage = await fetch(`${emu.url}/data/CustomersV3`, {
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(garbage.status).toBe(401);

    const other = await startD365Emulator({ seed: 'empty', httpsPort: false });
    try {
      const foreignToken = await getToken(other);
      const res = await fetch(`${emu.url}/data/CustomersV3`, {
        headers: { authorization: `Bearer ${foreignToken}` },
      });
      expect(res.status).toBe(401);
    } finally {
      await other.close();
    }
    expect(emu.control.counters().unauthorized401).toBeGreaterThanOrEqual(3);
  });

  it('expired tokens are refused', async () => {
    const short = await startD365Emulator({ seed: 'empty', httpsPort: false, tokenLifetimeS: 1 });
    try {
      const token = await getToken(short);
      expect(
        (await fetch(`${short.url}/data/LegalEntities`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      expect(
        (await fetch(`${short.url}/data/LegalEntities`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('publishes OpenID metadata with the token endpoint on the https base', async () => {
    const res = await fetch(`${emu.url}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    const meta = (await res.json()) as Record<string, string>;
    expect(meta.token_endpoint).toBe(`${emu.httpsUrl}/${emu.tenantId}/oauth2/v2.0/token`);
    expect(meta.jwks_uri).toBe(`${emu.httpsUrl}/${emu.tenantId}/discovery/v2.0/keys`);
    const v1 = (await (
      await fetch(`${emu.url}/${emu.tenantId}/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(v1.token_endpoint).toBe(`${emu.httpsUrl}/${emu.tenantId}/oauth2/token`);
  });

  it('serves the token endpoint and OData over https with the dev certificate', async () => {
    const ca = readFileSync(emu.caCertPath!, 'utf8');
    const meta = await httpsGet(`${emu.httpsUrl}/${emu.tenantId}/v2.0/.well-known/openid-configuration`, ca);
    expect(meta.status).toBe(200);
    const token = await getToken(emu, emu.httpsUrl);
    const data = await httpsGet(`${emu.httpsUrl}/data/LegalEntities?$select=LegalEntityId`, ca, {
      authorization: `Bearer ${token}`,
    });
    expect(data.status).toBe(200);
    expect(JSON.parse(data.body)['@odata.context']).toBe(
      `${emu.httpsUrl}/data/$metadata#LegalEntities(LegalEntityId)`,
    );
    // Against only the public roots (an explicit `ca` replaces the default store, including any
    // NODE_EXTRA_CA_CERTS that scripts/test exports) the self-signed certificate is refused.
    await expect(
      new Promise((resolve, reject) =>
        httpsRequest(`${emu.httpsUrl}/data`, { ca: [...rootCertificates] }, (r) => resolve(r.statusCode))
          .on('error', reject)
          .end(),
      ),
    ).rejects.toThrow(/self[- ]signed|unable to verify/i);
  });

  it('works with MSAL ConfidentialClientApplication (production authority + authorityMetadata)', async () => {
    const authority = `https://login.microsoftonline.com/${emu.tenantId}`;
    const base = `${emu.url}/${emu.tenantId}`;
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        authority,
        authorityMetadata: JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `https://login.microsoftonline.com/${emu.tenantId}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          response_types_supported: ['code'],
          response_modes_supported: ['query'],
          scopes_supported: ['openid'],
          claims_supported: ['sub'],
          request_uri_parameter_supported: false,
          http_logout_supported: true,
        }),
      },
    });
    const before = emu.control.counters().tokensIssued;
    const result = await cca.acquireTokenByClientCredential({ scopes: [`${emu.url}/.default`] });
    expect(result?.accessToken).toBeTruthy();
    expect(emu.control.counters().tokensIssued).toBe(before + 1);
    const res = await fetch(`${emu.url}/data/LegalEntities`, {
      headers: { authorization: `Bearer ${result!.accessToken}` },
    });
    expect(res.status).toBe(200);
    // Bad secret through MSAL surfaces the AADSTS code.
    const bad = new ConfidentialClientApplication({
      auth: {
        clientId: emu.clientId,
        clientSecret: 'wrong',
        authority,
        authorityMetadata: JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `https://login.microsoftonline.com/${emu.tenantId}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        }),
      },
    });
    await expect(bad.acquireTokenByClientCredential({ scopes: [`${emu.url}/.default`] })).rejects.toThrow(
      /AADSTS7000215/,
    );
  });
});
