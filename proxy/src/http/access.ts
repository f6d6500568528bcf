/**
 * Authorization belongs to the route. Every route declares who may call it in its options
 * (`config: { auth: 'admin' }`, or a list); this hook reads the declaration of the route
 * Fastify actually matched — never the URL string, which can spell the same route in many
 * ways (`/%761/…`, absolute-form targets, …). A route that declares nothing refuses everyone.
 *
 * `onRequest` runs after routing (the router picks the route, then its hooks run), so
 * `request.routeOptions.config` is the matched route's. Unmatched requests get the 404
 * context: under `/v1` they answer 401 like a refused route (probing reveals no routes),
 * elsewhere 404 — decided on the decoded, normalised path.
 */
import type { FastifyInstance } from 'fastify';
import {
  ACCESS_LEVELS,
  EVENT_KEY_PARAM,
  unauthorized,
  type Access,
  type InboundAuthenticator,
  type Principal,
} from './auth.js';

/** Every credential-bearing access level: what an unmatched `/v1` path accepts before its 404. */
const ANY_CALLER: readonly Access[] = ACCESS_LEVELS.filter((a) => a !== 'public');

/** `METRICS_PUBLIC` / `DOCS_PUBLIC`: as set, else public everywhere but production. */
export function operationalAccess(flag: boolean | undefined, nodeEnv: string): Access {
  return (flag ?? nodeEnv !== 'production') ? 'public' : 'admin';
}

/** The declared access of a route's config as a list; empty when nothing (valid) is declared. */
export function declaredAccess(config: { auth?: unknown } | undefined): Access[] {
  const auth = config?.auth;
  const list = Array.isArray(auth) ? auth : auth === undefined ? [] : [auth];
  return list.every((a) => (ACCESS_LEVELS as readonly unknown[]).includes(a)) ? (list as Access[]) : [];
}

export function registerAccessControl(
  app: FastifyInstance,
  authenticator: InboundAuthenticator,
  /** Told about every caller a route admitted by credential (doctor's last-callout record). */
  onAuthenticated?: (principal: Principal) => void,
): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404) {
      if (isApiPath(request.url)) {
        request.principal = await authenticator.authenticate(request.headers.authorization, ANY_CALLER);
      }
      return;
    }
    const allowed = declaredAccess(request.routeOptions.config);
    if (allowed.length === 0) {
      request.log.error({ route: request.routeOptions.url }, 'route declares no access: refused');
      throw unauthorized('route declares no access');
    }
    if (allowed.includes('public')) {
      // A public route may still say more to a known caller (/readyz detail for admins).
      const identify = request.routeOptions.config.identify;
      if (identify && request.headers.authorization) {
        request.principal = await authenticator
          .authenticate(request.headers.authorization, identify)
          .catch(() => undefined);
      }
      return;
    }
    // Business-event senders cannot send headers: their key is the matched route's `:key` parameter.
    const params = request.params as Record<string, unknown> | undefined;
    const pathKey = params?.[EVENT_KEY_PARAM];
    if (allowed.includes('events') && typeof pathKey === 'string') {
      request.principal = authenticator.authenticateEventKey(pathKey);
      return;
    }
    request.principal = await authenticator.authenticate(request.headers.authorization, allowed);
    onAuthenticated?.(request.principal);
  });
}

/** Whether a request target names something under `/v1`, however it is spelled. */
export function isApiPath(target: string): boolean {
  const path = normalisedPath(target);
  return path === '/v1' || path.startsWith('/v1/');
}

/**
 * The path a request target means: origin of an absolute-form target dropped, query and
 * fragment dropped, percent-decoding applied until stable, `;params` dropped, empty and dot
 * segments resolved, lower case. Generous on purpose: it only decides 401 versus 404 for paths
 * no route matched, and reading more paths as `/v1` only turns 404s into 401s.
 */
export function normalisedPath(target: string): string {
  let path = target;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  path = path.split(/[?#]/, 1)[0] ?? '';
  for (let i = 0; i < 5; i++) {
    const decoded = safeDecode(path);
    if (decoded === path) break;
    path = decoded;
  }
  const out: string[] = [];
  for (const raw of path.replace(/\\/g, '/').split('/')) {
    const segment = raw.split(';', 1)[0] ?? '';
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment.toLowerCase());
  }
  return `/${out.join('/')}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // Overlong or broken UTF-8 (`%c0%af`): decode what decodes, byte by byte as Latin-1 otherwise.
    return s.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}
