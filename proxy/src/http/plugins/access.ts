/**
 * Inbound authentication and per-route authorization (access.ts) as a named plugin that
 * decorates the instance with its `authenticator`. It adds an `onRequest` hook, which applies
 * only to routes added after it: route plugins declare `dependencies: ['fobridge-access']`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerAccessControl } from '../access.js';
import type { Access, InboundAuthenticator, Principal, RouteAccess } from '../auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: InboundAuthenticator;
  }
  interface FastifyContextConfig {
    /** Who may call the route (http/auth.ts). Every route declares it; none declared = nobody. */
    auth?: RouteAccess;
    /** On a public route: recognise callers with these credentials (never refuses anyone). */
    identify?: readonly Access[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AccessPluginOptions {
  authenticator: InboundAuthenticator;
  /** Told about every caller a route admitted by credential (doctor's last-callout record). */
  onAuthenticated?: (principal: Principal) => void;
}

async function access(app: FastifyInstance, opts: AccessPluginOptions): Promise<void> {
  app.decorate('authenticator', opts.authenticator);
  registerAccessControl(app, opts.authenticator, opts.onAuthenticated);
}

export default fp(access, { name: 'fobridge-access', dependencies: ['fobridge-problems'] });
