import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkJwtBearer } from '../auth/jwt-bearer.js';
import { CONSUMER_KEY } from '../options.js';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/** `POST /services/oauth2/token`: the OAuth 2.0 JWT bearer grant (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"). */
export default async function tokenRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const signingSecret = randomBytes(32);

  app.post('/services/oauth2/token', { config: apiKind('token') }, async (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const result = await checkJwtBearer(form, {
      consumerKey: CONSUMER_KEY,
      audiences: [state.url, 'https://login.salesforce.com', 'https://test.salesforce.com'],
      publicKey: state.publicKey,
      preauthorized: state.auth.preauthorized,
      appEnabled: state.auth.appEnabled,
      findUser: (u) => state.findUser(u),
    });
    if ('error' in result) {
      state.auth.tokenFailures++;
      return reply
        .code(result.status)
        .send({ error: result.error, error_description: result.error_description });
    }
    state.auth.tokenGrants++;
    const { token, session } = state.sessions.issue(result.userId);
    const id = `${state.url}/id/${state.orgId}/${result.userId}`;
    const issuedAt = String(session.issuedAt);
    return {
      access_token: token,
      scope: 'api',
      instance_url: state.url,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: createHmac('sha256', signingSecret)
        .update(id + issuedAt)
        .digest('base64'),
    };
  });
}
