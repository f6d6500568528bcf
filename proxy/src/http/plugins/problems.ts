/**
 * The one error handler and the 404 handler (error-handler.ts), as a named plugin: plugins
 * that throw problems declare `dependencies: ['fobridge-problems']` and Fastify checks the order.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerErrorHandling } from '../error-handler.js';

async function problems(app: FastifyInstance): Promise<void> {
  registerErrorHandling(app);
}

export default fp(problems, { name: 'fobridge-problems' });
