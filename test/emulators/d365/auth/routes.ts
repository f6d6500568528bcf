/**
 * Entra ID endpoints: v2 `POST /<tenant>/oauth2/v2.0/token` (scope=<env>/.default), v1
 * `POST /<tenant>/oauth2/token` (resource=<env>), OpenID metadata and JWKS.
 * Error bodies follow Entra's AADSTS JSON shape; the codes and texts are the ones Entra uses for these
 * cases (AADSTS7000215 for a bad secret is what MSAL reports from real Entra; the others are [INF] from Entra's public error list).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TokenService } from './tokens.js';

export interface AuthRouteOptions {
  tokens: TokenService;
  /** Base used in OpenID metadata (the https base when enabled). */
  metadataBase: () => string;
  onTokenIssued: () => void;
}

function aadError(reply: FastifyReply, status: number, error: string, code: number, text: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    });
}

function formBody(body: unknown): URLSearchParams {
  if (Buffer.isBuffer(body)) return new URLSearchParams(body.toString('utf8'));
  if (typeof body === 'string') return new URLSearchParams(body);
  return new URLSearchParams();
}

export default async function authRoutes(app: FastifyInstance, opts: AuthRouteOptions): Promise<void> {
  const { tokens } = opts;

  const tokenHandler =
    (version: '1.0' | '2.0') => async (request: { params: unknown; body: unknown }, reply: FastifyReply) => {
      const { tenant } = request.params as { tenant: string };
      const form = formBody(request.body);
      if (tenant !== tokens.tenantId) {
        return aadError(
          reply,
          400,
          'invalid_request',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        );
      }
      const grant = form.get('grant_type');
      if (grant !== 'client_credentials') {
        return aadError(
          reply,
          400,
          'unsupported_grant_type',
          70003,
          `The app requested an unsupported grant type '${grant ?? ''}'.`,
        );
      }
      const clientId = form.get('client_id') ?? '';
      const client = tokens.clients.get(clientId);
      if (!client) {
        return aadError(
          reply,
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        );
      }
      const secret = form.get('client_secret');
      if (!secret) {
        return aadError(
          reply,
          401,
          'invalid_client',
          7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
      }
      if (secret !== client.secret) {
        return aadError(
          reply,
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        );
      }
      let resource: string;
      if (version === '2.0') {
        const scope = form.get('scope');
        if (!scope)
          return aadError(
            reply,
            400,
            'invalid_request',
            90014,
            "The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
          );
        const scopes = scope.split(/\s+/).filter(Boolean);
        const bad = scopes.find((s) => !s.endsWith('/.default'));
        if (bad || scopes.length !== 1) {
          return aadError(
            reply,
            400,
            'invalid_scope',
            1002012,
            `The provided value for scope ${bad ?? scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
          );
        }
        resource = scopes[0]!.slice(0, -'/.default'.length);
      } else {
        const r = form.get('resource');
        if (!r)
          return aadError(
            reply,
            400,
            'invalid_request',
            900144,
            "The request body must contain the following parameter: 'resource'.",
          );
        resource = r;
      }
      if (!tokens.isAudience(resource)) {
        return aadError(
          reply,
          400,
          version === '2.0' ? 'invalid_scope' : 'invalid_resource',
          500011,
          `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
        );
      }
      const { token, iat, exp } = await tokens.issue(client, resource, version);
      opts.onTokenIssued();
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'no-store, no-cache');
      if (version === '2.0') {
        return {
          token_type: 'Bearer',
          expires_in: tokens.lifetimeS,
          ext_expires_in: tokens.lifetimeS,
          access_token: token,
        };
      }
      // v1 returns numbers as strings.
      return {
        token_type: 'Bearer',
        expires_in: String(tokens.lifetimeS),
        ext_expires_in: String(tokens.lifetimeS),
        expires_on: String(exp),
        not_before: String(iat),
        resource,
        access_token: token,
      };
    };

  app.post('/:tenant/oauth2/v2.0/token', tokenHandler('2.0'));
  app.post('/:tenant/oauth2/token', tokenHandler('1.0'));

  const openid = (version: '1.0' | '2.0') => async (request: { params: unknown }) => {
    const { tenant } = request.params as { tenant: string };
    const base = `${opts.metadataBase()}/${tenant}`;
    const v = version === '2.0' ? '/v2.0' : '';
    return {
      token_endpoint: `${base}/oauth2${v}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery${v}/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer:
        version === '2.0'
          ? `https://login.microsoftonline.com/${tokens.tenantId}/v2.0`
          : `https://sts.windows.net/${tokens.tenantId}/`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2${v}/authorize`,
      device_authorization_endpoint: `${base}/oauth2${v}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2${v}/logout`,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'tid',
        'ver',
        'oid',
        'appid',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  };
  app.get('/:tenant/v2.0/.well-known/openid-configuration', openid('2.0'));
  app.get('/:tenant/.well-known/openid-configuration', openid('1.0'));
  app.get('/:tenant/discovery/v2.0/keys', async () => tokens.jwks());
  app.get('/:tenant/discovery/keys', async () => tokens.jwks());
}
