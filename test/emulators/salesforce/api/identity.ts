import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SfRecord } from '../data/store.js';
import { to18 } from '../ids.js';
import type { EmulatorState } from '../state.js';

/**
 * The identity service real clients call right after logging in: the identity URL returned
 * as `id` in the token response (`/id/<orgId>/<userId>`) and the OpenID Connect
 * `/services/oauth2/userinfo`. `sf org login access-token` reads the username from here.
 * Neither is a REST API call: no version, no `Sforce-Limit-Info`, not counted.
 */
export default async function identityRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const findUser = (id: string) => state.store.get(state.schema.object('User')!, id);

  /** The session's user, or undefined after answering as the identity service does. */
  const sessionUser = (req: FastifyRequest, reply: FastifyReply): SfRecord | undefined => {
    const query = req.query as { oauth_token?: string; access_token?: string };
    const header = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? query.oauth_token ?? query.access_token;
    const session = token ? state.sessions.get(token) : undefined;
    const user = session ? findUser(session.userId) : undefined;
    if (!user) void reply.code(403).type('text/plain').send('Bad_OAuth_Token');
    return user;
  };

  /** Endpoint URLs; `{version}` stays literal unless the caller asks for one (`?version=`). */
  const urls = (req: FastifyRequest, userId: string): Record<string, string> => {
    const asked = (req.query as { version?: string }).version;
    const v = asked === 'latest' ? state.options.apiVersion : (asked ?? '{version}');
    const base = state.url;
    const orgId = state.orgId.slice(0, 15);
    return {
      enterprise: `${base}/services/Soap/c/${v}/${orgId}`,
      metadata: `${base}/services/Soap/m/${v}/${orgId}`,
      partner: `${base}/services/Soap/u/${v}/${orgId}`,
      rest: `${base}/services/data/v${v}/`,
      sobjects: `${base}/services/data/v${v}/sobjects/`,
      search: `${base}/services/data/v${v}/search/`,
      query: `${base}/services/data/v${v}/query/`,
      recent: `${base}/services/data/v${v}/recent/`,
      tooling_soap: `${base}/services/Soap/T/${v}/${orgId}`,
      tooling_rest: `${base}/services/data/v${v}/tooling/`,
      profile: `${base}/${userId}`,
      feeds: `${base}/services/data/v${v}/chatter/feeds`,
      groups: `${base}/services/data/v${v}/chatter/groups`,
      users: `${base}/services/data/v${v}/chatter/users`,
      feed_items: `${base}/services/data/v${v}/chatter/feed-items`,
      feed_elements: `${base}/services/data/v${v}/chatter/feed-elements`,
      custom_domain: base,
    };
  };

  const photos = () => ({
    picture: `${state.url}/profilephoto/005/F`,
    thumbnail: `${state.url}/profilephoto/005/T`,
  });

  app.get<{ Params: { orgId: string; userId: string } }>('/id/:orgId/:userId', async (req, reply) => {
    const user = sessionUser(req, reply);
    if (!user) return reply;
    const userId = String(user.Id);
    // Ids in the path may be 15 or 18 characters; a token only reads its own org.
    const sameOrg = to18(req.params.orgId.slice(0, 15)) === state.orgId;
    if (!sameOrg || !/^005\w{12}(\w{3})?$/.test(req.params.userId)) {
      return reply.code(403).type('text/plain').send('Bad_Id');
    }
    const target = findUser(req.params.userId);
    if (!target) return reply.code(404).type('text/plain').send('Bad_Id');
    const id = String(target.Id);
    const pics = photos();
    return {
      id: `${state.url}/id/${state.orgId}/${id}`,
      asserted_user: id === userId,
      user_id: id,
      organization_id: state.orgId,
      username: target.Username,
      nick_name: String(target.Alias ?? target.Username),
      display_name: target.Name,
      email: target.Email,
      email_verified: true,
      first_name: target.FirstName ?? null,
      last_name: target.LastName,
      timezone: target.TimeZoneSidKey ?? 'GMT',
      photos: pics,
      addr_street: null,
      addr_city: null,
      addr_state: null,
      addr_country: null,
      addr_zip: null,
      mobile_phone: null,
      mobile_phone_verified: false,
      is_lightning_login_user: false,
      status: { created_date: null, body: null },
      urls: urls(req, id),
      active: target.IsActive !== false,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      last_modified_date: formatDate(target.LastModifiedDate),
      is_app_installed: true,
    };
  });

  const userinfo = async (req: FastifyRequest, reply: FastifyReply) => {
    const user = sessionUser(req, reply);
    if (!user) return reply;
    const id = String(user.Id);
    const pics = photos();
    return {
      sub: `${state.url}/id/${state.orgId}/${id}`,
      user_id: id,
      organization_id: state.orgId,
      preferred_username: user.Username,
      nickname: String(user.Alias ?? user.Username),
      name: user.Name,
      email: user.Email,
      email_verified: true,
      given_name: user.FirstName ?? null,
      family_name: user.LastName,
      zoneinfo: user.TimeZoneSidKey ?? 'GMT',
      photos: pics,
      profile: `${state.url}/${id}`,
      picture: pics.picture,
      address: {},
      is_salesforce_integration_user: false,
      urls: urls(req, id),
      active: user.IsActive !== false,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      updated_at: formatDate(user.LastModifiedDate),
      is_app_installed: true,
    };
  };
  app.get('/services/oauth2/userinfo', userinfo);
  app.post('/services/oauth2/userinfo', userinfo);
}

/** Identity dates are ISO-8601 with `+0000`, as the REST API writes them. */
function formatDate(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
