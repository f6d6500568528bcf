import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, it, expect } from 'vitest';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { loadConfig } from '../../src/config.js';
import { d365OptionsFromConfig } from '../../src/d365/index.js';
import { createMsalFetcher } from '../../src/d365/token/msal-fetcher.js';
import { fakeJwt, json, startServer, type TestServer } from './helpers.js';

let idp: TestServer | undefined;
afterEach(async () => idp?.close());

describe('certificate credential', () => {
  it('signs a client assertion with the private key, carrying the SHA-256 thumbprint', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const thumbprint = 'AB'.repeat(32);
    idp = await startServer((_req, res) =>
      json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: fakeJwt('https://fo.test') }),
    );
    const fetcher = createMsalFetcher({
      tenantId: 'bridge-tenant',
      clientId: 'bridge-demo',
      certificate: {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        thumbprintSha256: thumbprint,
      },
      authorityHost: 'https://login.microsoftonline.com',
      resource: 'https://fo.test',
      tokenEndpointOverride: `${idp.url}/bridge-tenant/oauth2/v2.0/token`,
    });
    await fetcher();
    const form = new URLSearchParams(idp.requests[0]!.body);
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion')!;
    const header = decodeProtectedHeader(assertion);
    expect(Buffer.from(String(header['x5t#S256']), 'base64url').toString('hex').toUpperCase()).toBe(
      thumbprint,
    );
    const key = await importSPKI(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      String(header.alg),
    );
    const { payload } = await jwtVerify(assertion, key, { clockTolerance: 5 });
    expect(payload.iss).toBe('bridge-demo');
    expect(payload.sub).toBe('bridge-demo');
  });

  it('is chosen from the configuration when the key and thumbprint are set', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = loadConfig({
      D365_URL: 'https://Contoso.Operations.Dynamics.com/',
      D365_TENANT_ID: 't',
      D365_CLIENT_ID: 'c',
      D365_CLIENT_CERT_PATH: pem.replace(/\n/g, '\\n'),
      D365_CLIENT_CERT_THUMBPRINT: 'ab:'.repeat(31) + 'ab',
      D365_MAX_CONCURRENCY: '20',
      D365_REQUEST_BUDGET: '5800',
    });
    const o = d365OptionsFromConfig(config)!;
    expect(o.url).toBe('https://contoso.operations.dynamics.com');
    expect(o.clientSecret).toBeUndefined();
    expect(o.certificate?.thumbprintSha256).toBe('AB'.repeat(32));
    expect(o.certificate?.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(o).toMatchObject({
      maxConcurrency: 20,
      requestBudget: 5800,
      budgetWindowS: 300,
      packageThreshold: 1000,
      batchMaxOps: 5000,
    });
    expect(d365OptionsFromConfig(loadConfig({}))).toBeUndefined();
  });
});
