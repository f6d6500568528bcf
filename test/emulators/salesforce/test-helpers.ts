import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import type { SalesforceEmulator } from './index.js';

/** Helpers shared by the emulator's own tests: sign assertions, log in, call the REST API. */

export interface AssertionClaims {
  iss?: string;
  sub?: string;
  aud?: string;
  /** Seconds from now (default 180). */
  expiresIn?: number;
  /** Absolute `exp`, overrides expiresIn. */
  exp?: number;
}

export async function signAssertion(privateKeyPem: string, claims: AssertionClaims): Promise<string> {
  const key = await importPKCS8(privateKeyPem, 'RS256');
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'RS256' });
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + (claims.expiresIn ?? 180));
  return jwt.sign(key);
}

export async function requestToken(
  emu: SalesforceEmulator,
  assertion: string,
  grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer',
) {
  const res = await fetch(`${emu.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

export async function login(emu: SalesforceEmulator): Promise<string> {
  const assertion = await signAssertion(emu.privateKeyPem!, {
    iss: emu.consumerKey,
    sub: emu.username,
    aud: emu.loginUrl,
  });
  const { status, body } = await requestToken(emu, assertion);
  if (status !== 200) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return body.access_token!;
}

export interface SfResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny REST caller bound to one emulator and token. */
export function restClient(emu: SalesforceEmulator, token: string) {
  return async function sf<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<SfResponse<T>> {
    const url = path.startsWith('/')
      ? `${emu.url}${path}`
      : `${emu.url}/services/data/v${emu.apiVersion}/${path}`;
    const isCsv = typeof body === 'string';
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': isCsv ? 'text/csv' : 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: isCsv ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      headers: res.headers,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
    };
  };
}

/** A throwaway SFDX package folder with the given object files: { 'Invoice__c/fields/X__c.field-meta.xml': '<xml>' }. */
export function makeForceApp(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'sf-emu-'));
  const objects = join(root, 'main', 'default', 'objects');
  for (const [path, content] of Object.entries(files)) {
    const full = join(objects, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
  return { dir: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

export function fieldXml(fullName: string, inner: string): string {
  return `${XML}<CustomField ${NS}>\n  <fullName>${fullName}</fullName>\n${inner}\n</CustomField>\n`;
}

export function objectXml(inner: string): string {
  return `${XML}<CustomObject ${NS}>\n${inner}\n</CustomObject>\n`;
}

/** The package shape the tests rely on (independent of the real force-app). */
export function fixturePackage(): Record<string, string> {
  return {
    'Account/fields/D365_Customer_Number__c.field-meta.xml': fieldXml(
      'D365_Customer_Number__c',
      '<externalId>true</externalId><unique>true</unique><caseSensitive>false</caseSensitive><label>D365 Customer Number</label><length>20</length><required>false</required><type>Text</type>',
    ),
    'Account/fields/D365_Sync_Status__c.field-meta.xml': fieldXml(
      'D365_Sync_Status__c',
      `<label>Sync Status</label><required>false</required><type>Picklist</type>
       <valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>
         <value><fullName>Pending</fullName><default>true</default><label>Pending</label></value>
         <value><fullName>Synced</fullName><default>false</default><label>Synced</label></value>
         <value><fullName>Error</fullName><default>false</default><label>Error</label></value>
       </valueSetDefinition></valueSet>`,
    ),
    'Account/fields/D365_Last_Synced__c.field-meta.xml': fieldXml(
      'D365_Last_Synced__c',
      '<label>Last Synced</label><type>DateTime</type>',
    ),
    'Invoice__c/Invoice__c.object-meta.xml': objectXml(
      '<deploymentStatus>Deployed</deploymentStatus><label>Invoice</label><nameField><label>Invoice Number</label><type>Text</type></nameField><pluralLabel>Invoices</pluralLabel><sharingModel>ReadWrite</sharingModel>',
    ),
    'Invoice__c/fields/D365_Invoice_Id__c.field-meta.xml': fieldXml(
      'D365_Invoice_Id__c',
      '<externalId>true</externalId><unique>true</unique><label>D365 Invoice Id</label><length>40</length><type>Text</type>',
    ),
    'Invoice__c/fields/Account__c.field-meta.xml': fieldXml(
      'Account__c',
      '<deleteConstraint>SetNull</deleteConstraint><label>Account</label><referenceTo>Account</referenceTo><relationshipName>Invoices</relationshipName><type>Lookup</type>',
    ),
    'Invoice__c/fields/Amount__c.field-meta.xml': fieldXml(
      'Amount__c',
      '<label>Amount</label><precision>16</precision><scale>2</scale><type>Currency</type>',
    ),
    'Invoice__c/fields/Due_Date__c.field-meta.xml': fieldXml(
      'Due_Date__c',
      '<label>Due Date</label><type>Date</type>',
    ),
    'Invoice__c/fields/Paid__c.field-meta.xml': fieldXml(
      'Paid__c',
      '<defaultValue>false</defaultValue><label>Paid</label><type>Checkbox</type>',
    ),
    'D365_Sync_Request__e/D365_Sync_Request__e.object-meta.xml': objectXml(
      '<deploymentStatus>Deployed</deploymentStatus><eventType>HighVolume</eventType><label>Sync Request</label><pluralLabel>Sync Requests</pluralLabel><publishBehavior>PublishAfterCommit</publishBehavior>',
    ),
    'D365_Sync_Request__e/fields/Record_Id__c.field-meta.xml': fieldXml(
      'Record_Id__c',
      '<label>Record Id</label><length>18</length><required>true</required><type>Text</type>',
    ),
  };
}
