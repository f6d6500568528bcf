/**
 * Client-credentials tokens from MSAL (`@azure/msal-node` ConfidentialClientApplication), with
 * a client secret or a certificate (thumbprint + private key). No discovery, see authority.ts.
 * MSAL's own cache is bypassed (`skipCache`): TokenCache decides when to ask, and after an F&O
 * 401 we need a genuinely new token rather than MSAL's copy of the refused one.
 */
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import { buildAuthority } from './authority.js';
import type { TokenFetcher } from './token-cache.js';

export interface CertificateCredential {
  /** Hex SHA-256 thumbprint of the certificate (preferred by Entra ID). */
  thumbprintSha256?: string;
  /** Hex SHA-1 thumbprint (legacy; only if your tenant still requires it). */
  thumbprint?: string;
  /** The private key as PEM text (PKCS#8 or PKCS#1). */
  privateKey: string;
  /** Optional public certificate chain (PEM) for subject-name/issuer authentication. */
  x5c?: string;
}

export interface MsalFetcherOptions {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificate?: CertificateCredential;
  authorityHost: string;
  /** The F&O environment URL (normalised); the scope is `<url>/.default`. */
  resource: string;
  /** Post tokens here instead of `<authorityHost>/<tenant>/oauth2/v2.0/token` (tests). */
  tokenEndpointOverride?: string;
}

export function createMsalFetcher(options: MsalFetcherOptions): TokenFetcher {
  const authority = buildAuthority(options.authorityHost, options.tenantId, options.tokenEndpointOverride);
  if (!options.clientSecret && !options.certificate) {
    throw new TypeError('a client secret or a certificate is required for the F&O app registration');
  }
  const config: Configuration = {
    auth: {
      clientId: options.clientId,
      authority: authority.authority,
      knownAuthorities: authority.knownAuthorities,
      authorityMetadata: authority.authorityMetadata,
      ...(options.certificate
        ? {
            clientCertificate: {
              privateKey: options.certificate.privateKey,
              ...(options.certificate.thumbprintSha256
                ? { thumbprintSha256: options.certificate.thumbprintSha256 }
                : {}),
              ...(options.certificate.thumbprint ? { thumbprint: options.certificate.thumbprint } : {}),
              ...(options.certificate.x5c ? { x5c: options.certificate.x5c } : {}),
            },
          }
        : { clientSecret: options.clientSecret! }),
    },
    // MSAL logs nothing of ours; its messages can contain PII, so keep it at errors only.
    system: {
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
    },
  };
  const cca = new ConfidentialClientApplication(config);
  const scopes = [`${options.resource}/.default`];
  return async () => {
    const result = await cca.acquireTokenByClientCredential({ scopes, skipCache: true });
    if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
    const expiresInMs = result.expiresOn ? result.expiresOn.getTime() - Date.now() : 5 * 60_000;
    return { accessToken: result.accessToken, expiresInMs };
  };
}
