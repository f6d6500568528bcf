/**
 * A self-signed development certificate for the emulators' HTTPS listeners.
 *
 * Made once with `openssl` under `<repo>/.tmp/tls/` and reused by every test and process.
 * `scripts/test` exports `NODE_EXTRA_CA_CERTS=<repo>/.tmp/tls/dev-cert.pem` so Node trusts it.
 * Safe when several processes race: creation happens under an exclusive lock directory
 * (`mkdir` is atomic), the pair is written to a temp directory and moved into place with `rename`,
 * key first and certificate last, so a present certificate always has its matching key.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DevCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const devTlsDir = join(repoRoot, '.tmp', 'tls');
export const devCertPath = join(devTlsDir, 'dev-cert.pem');
export const devKeyPath = join(devTlsDir, 'dev-key.pem');

export function ensureDevCertificate(): DevCertificate {
  if (!(existsSync(devCertPath) && existsSync(devKeyPath))) {
    createCertificate();
  }
  return {
    certPath: devCertPath,
    keyPath: devKeyPath,
    cert: readFileSync(devCertPath, 'utf8'),
    key: readFileSync(devKeyPath, 'utf8'),
  };
}

function createCertificate(): void {
  mkdirSync(devTlsDir, { recursive: true });
  const lock = join(devTlsDir, '.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(devCertPath) && existsSync(devKeyPath)) return;
      // A holder that died leaves the lock behind: break it after a while.
      if (Date.now() > deadline - 30_000 && lockAgeMs(lock) > 30_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    if (!(existsSync(devCertPath) && existsSync(devKeyPath))) generateInto();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function generateInto(): void {
  const work = mkdtempSync(join(devTlsDir, 'new-'));
  try {
    const cert = join(work, 'cert.pem');
    const key = join(work, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '3650',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    renameSync(key, devKeyPath);
    renameSync(cert, devCertPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
