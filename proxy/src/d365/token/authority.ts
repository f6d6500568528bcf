/**
 * MSAL must never discover anything on Microsoft hosts (offline, and no surprise calls to Microsoft in production): we always pass
 * `knownAuthorities: [host]` and an `authorityMetadata` built from the authority host itself,
 * so with `ENTRA_AUTHORITY_HOST=https://127.0.0.1:4443` no other network access happens.
 * `tokenEndpointOverride` keeps the (https) authority but posts tokens elsewhere — tests use it
 * to reach an emulator over http, because NODE_EXTRA_CA_CERTS cannot be set after start.
 */
export interface AuthorityConfig {
  authority: string;
  knownAuthorities: string[];
  authorityMetadata: string;
  tokenEndpoint: string;
}

export function buildAuthority(
  authorityHost: string,
  tenantId: string,
  tokenEndpointOverride?: string,
): AuthorityConfig {
  const host = authorityHost.replace(/\/+$/, '');
  const url = new URL(host);
  if (url.protocol !== 'https:')
    throw new TypeError('the Entra authority host must be https (MSAL refuses http authorities)');
  const base = `${host}/${encodeURIComponent(tenantId)}`;
  const tokenEndpoint = tokenEndpointOverride ?? `${base}/oauth2/v2.0/token`;
  const metadata = {
    token_endpoint: tokenEndpoint,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/openid/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: url.host,
    cloud_graph_host_name: url.host,
    msgraph_host: url.host,
    rbac_url: host,
  };
  return {
    authority: base,
    knownAuthorities: [url.host],
    authorityMetadata: JSON.stringify(metadata),
    tokenEndpoint,
  };
}
