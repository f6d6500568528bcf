/**
 * Entra ID access tokens for the emulated environment (reference §5): RS256 JWTs with
 * aud = environment URL (lower-case, no trailing slash), tid, oid, appid; verified on every /data call.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, jwtVerify, type JWK } from 'jose';

export interface Client {
  clientId: string;
  secret: string;
  /** Object id of the app's service principal (the `oid` claim). */
  objectId: string;
}

export interface VerifiedToken {
  clientId: string;
  objectId: string;
  exp: number;
}

export function normaliseAudience(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

let sharedPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** One RSA key per process: generating 2048-bit keys takes ~1 s on a busy machine, and tests start many emulators. */
function signingKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  sharedPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sharedPair;
}

export class TokenService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly kid = 'emulator-signing-key';
  private readonly cache = new Map<string, VerifiedToken>();
  readonly clients = new Map<string, Client>();

  constructor(
    readonly tenantId: string,
    /** Base URLs of this environment; any of them is a valid audience. */
    private readonly audiences: () => string[],
    public lifetimeS: number,
  ) {
    const pair = signingKeyPair();
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  registerClient(clientId: string, secret: string): Client {
    const client = { clientId, secret, objectId: randomUUID() };
    this.clients.set(clientId, client);
    return client;
  }

  isAudience(resource: string): boolean {
    const n = normaliseAudience(resource);
    return this.audiences().some((a) => normaliseAudience(a) === n);
  }

  async issue(
    client: Client,
    audience: string,
    version: '1.0' | '2.0',
  ): Promise<{ token: string; iat: number; exp: number }> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.lifetimeS;
    const claims: Record<string, unknown> = {
      tid: this.tenantId,
      oid: client.objectId,
      sub: client.objectId,
      idtyp: 'app',
      roles: [],
      ver: version,
    };
    if (version === '1.0') claims.appid = client.clientId;
    else {
      claims.azp = client.clientId;
      claims.appid = client.clientId;
    }
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(
        version === '1.0'
          ? `https://sts.windows.net/${this.tenantId}/`
          : `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      )
      .setAudience(normaliseAudience(audience))
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { token, iat, exp };
  }

  /** Returns the caller or undefined (→ 401). Verified tokens are cached until they expire. */
  async verify(authorization: string | undefined): Promise<VerifiedToken | undefined> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const token = m[1]!;
    const now = Math.floor(Date.now() / 1000);
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.exp > now) return hit;
      this.cache.delete(token);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'] });
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud ?? ''];
      if (!aud.some((a) => this.isAudience(a))) return undefined;
      if (
        payload.tid !== this.tenantId ||
        typeof payload.oid !== 'string' ||
        typeof payload.appid !== 'string'
      )
        return undefined;
      const verified: VerifiedToken = {
        clientId: payload.appid,
        objectId: payload.oid,
        exp: payload.exp ?? now,
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, verified);
      return verified;
    } catch {
      return undefined;
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] };
  }
}
