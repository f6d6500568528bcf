/**
 * Test-time key material: an RSA key pair and a self-signed X.509 certificate made fresh for
 * each run (never committed), as Salesforce's External Credential or connected app would hold.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';

export interface SigningMaterial {
  privateKeyPem: string;
  certificatePem: string;
  publicKeyPem: string;
}

export function generateSigningCertificate(commonName = 'fo-bridge-test'): SigningMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'fob-signing-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
      ],
      { stdio: 'ignore' },
    );
    const privateKeyPem = readFileSync(key, 'utf8');
    const certificatePem = readFileSync(cert, 'utf8');
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    return { privateKeyPem, certificatePem, publicKeyPem };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sign a callout JWT the way Salesforce's External Credentials (JWT protocol) do: `scope` is the
 * package's custom claim (`inventory` for the widget credential, `sync` for the sync one), `jti`
 * the sync credential's per-callout id.
 */
export async function signCalloutJwt(
  privateKeyPem: string,
  claims: {
    iss: string;
    aud: string;
    sub?: string;
    expiresInS?: number;
    iat?: number;
    scope?: string;
    jti?: string;
  },
): Promise<string> {
  const key = await importPKCS8(privateKeyPem, 'RS256');
  const now = claims.iat ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims.scope === undefined ? {} : { scope: claims.scope })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresInS ?? 120));
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.jti) jwt.setJti(claims.jti);
  return jwt.sign(key);
}
