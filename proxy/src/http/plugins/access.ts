/**
 * Inbound authentication and per-route authorization (access.ts) as a named plugin that
 * decorates the instance with its `authenticator`. It adds an `onRequest` hook, which applies
 * only to routes added after it: route plugins declare `dependencies: ['fobridge-access']`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerAccessControl } from '../access.js';
import type { InboundAuthenticator } from '../auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: InboundAuthenticator;
  }
}

async function access(app: FastifyInstance, opts: { authenticator: InboundAuthenticator }): Promise<void> {
  app.decorate('authenticator', opts.authenticator);
  registerAccessControl(app, opts.authenticator);
}

export default fp(access, { name: 'fobridge-access', dependencies: ['fobridge-problems'] });
