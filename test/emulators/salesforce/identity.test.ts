import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { login, requestToken, restClient, signAssertion } from './test-helpers.js';

describe('Salesforce emulator: what clients read after logging in', () => {
  let emu: SalesforceEmulator;
  let token: string;
  let sf: ReturnType<typeof restClient>;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty' });
    token = await login(emu);
    sf = restClient(emu, token);
  });
  afterAll(async () => {
    await emu.close();
  });

  it('serves the identity URL from the token response, for the token’s own user', async () => {
    const grant = await requestToken(
      emu,
      await signAssertion(emu.privateKeyPem!, { iss: emu.consumerKey, sub: emu.username, aud: emu.loginUrl }),
    );
    const { id, access_token } = grant.body as { id: string; access_token: string };
    const res = await fetch(id, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('sforce-limit-info')).toBeNull();
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      id,
      asserted_user: true,
      username: emu.username,
      organization_id: expect.stringMatching(/^00D\w{15}$/),
      user_id: expect.stringMatching(/^005\w{15}$/),
      active: true,
      user_type: 'STANDARD',
    });
    expect(body.urls.rest).toBe(`${emu.url}/services/data/v{version}/`);
    const versioned = await fetch(`${id}?version=latest`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(((await versioned.json()) as any).urls.query).toBe(`${emu.url}/services/data/v62.0/query/`);
  });

  it('answers /services/oauth2/userinfo with the OpenID claims, and 403 Bad_OAuth_Token without a session', async () => {
    const res = await sf('GET', '/services/oauth2/userinfo');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      preferred_username: emu.username,
      user_id: expect.stringMatching(/^005/),
      organization_id: expect.stringMatching(/^00D/),
      sub: expect.stringContaining(`${emu.url}/id/00D`),
      email: emu.username,
    });
    const bad = await fetch(`${emu.url}/services/oauth2/userinfo`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(403);
    expect(await bad.text()).toBe('Bad_OAuth_Token');
  });

  it('lists every API version without a session, and the resources of one', async () => {
    const versions = (await (await fetch(`${emu.url}/services/data`)).json()) as Array<
      Record<string, string>
    >;
    expect(versions[0]).toEqual({ label: "Winter '11", url: '/services/data/v20.0', version: '20.0' });
    expect(versions.at(-1)).toEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect(versions).toHaveLength(43);
    const resources = await sf('GET', '');
    expect(resources.status).toBe(200);
    expect(resources.body).toMatchObject({ sobjects: '/services/data/v62.0/sobjects' });
  });

  it('tolerates a doubled slash after the instance URL, as clients send it', async () => {
    const res = await fetch(`${emu.url}//services/data/v62.0/limits`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('has the Organization record, queryable, with the org Id', async () => {
    const res = await sf(
      'GET',
      `query?q=${encodeURIComponent('SELECT Id, Name, IsSandbox, OrganizationType, NamespacePrefix FROM Organization')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.records).toHaveLength(1);
    expect(res.body.records[0]).toMatchObject({
      Id: expect.stringMatching(/^00D\w{15}$/),
      IsSandbox: false,
      NamespacePrefix: null,
    });
    expect((await sf('POST', 'sobjects/Organization', { Name: 'x' })).status).toBe(400);
  });

  it('answers ?columns=true with the query’s column metadata', async () => {
    const q = 'SELECT Id, Name, Owner.Name FROM Account';
    const res = await sf('GET', `query?q=${encodeURIComponent(q)}&columns=true`);
    expect(res.status).toBe(200);
    expect(res.body.entityName).toBe('Account');
    const cols = res.body.columnMetadata as Array<{ columnName: string; joinColumns: any[] }>;
    expect(cols.map((c) => c.columnName)).toEqual(['Id', 'Name', 'Owner']);
    expect(cols[2]!.joinColumns.map((c: { columnName: string }) => c.columnName)).toEqual(['Name']);
    const bad = await sf('GET', `query?q=${encodeURIComponent('SELECT Nope FROM Account')}&columns=true`);
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe('INVALID_FIELD');
  });
});
