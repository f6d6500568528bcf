import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('applies documented defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      STORE_URL: 'sqlite:./data/bridge.db',
      ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.com',
      SF_LOGIN_URL: 'https://login.salesforce.com',
      SF_API_VERSION: '62.0',
      SF_NAMESPACE: '',
      BODY_LIMIT_BYTES: 5 * 1024 * 1024,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: ' ' }).PORT).toBe(8080);
  });

  it('normalises D365_URL: lower case, no trailing slash (the token audience must match exactly)', () => {
    expect(loadConfig({ D365_URL: 'https://Contoso.Operations.Dynamics.com/' }).D365_URL).toBe(
      'https://contoso.operations.dynamics.com',
    );
  });

  it('lists every problem with its variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', STORE_URL: 'mysql://x', SF_API_VERSION: 'v62' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const msg = (error as Error).message;
    for (const v of ['PORT', 'LOG_LEVEL', 'STORE_URL', 'SF_API_VERSION']) expect(msg).toContain(`- ${v}:`);
    expect(msg).toContain('4 problems');
  });

  it('refuses development API keys in production, and requires the Salesforce certificate there', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', INBOUND_API_KEYS: 'a-long-enough-dev-key-123' }),
    ).toThrow(/INBOUND_API_KEYS: development API keys are refused[\s\S]*INBOUND_JWT_CERT: required/);
  });

  it('requires issuer and audience with a pinned certificate, and reads the PEM from a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fob-config-'));
    const path = join(dir, 'sf.pem');
    writeFileSync(path, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(() => loadConfig({ INBOUND_JWT_CERT: path })).toThrow(
      /INBOUND_JWT_ISSUER[\s\S]*INBOUND_JWT_AUDIENCE/,
    );
    const c = loadConfig({ INBOUND_JWT_CERT: path, INBOUND_JWT_ISSUER: 'i', INBOUND_JWT_AUDIENCE: 'a' });
    expect(c.INBOUND_JWT_CERT).toContain('BEGIN CERTIFICATE');
    expect(() => loadConfig({ SF_PRIVATE_KEY: join(dir, 'missing.pem') })).toThrow(
      /SF_PRIVATE_KEY: no PEM text and no file/,
    );
  });

  it('never echoes a secret value in its error message', () => {
    try {
      loadConfig({ ADMIN_API_KEYS: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('ADMIN_API_KEYS');
      expect((err as Error).message).not.toContain('short-secret');
    }
  });
});
