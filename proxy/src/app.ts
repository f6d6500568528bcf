/**
 * Composes the proxy into a Fastify instance without listening: tests build it and call
 * `inject` or `listen(0)`; `main.ts` listens. Order matters and lives only here:
 * external plugins (swagger, under-pressure) → spine (errors, request ids, auth) → parts'
 * routes. Every resource a part opens is closed in `onClose`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { loggerOptions } from './logging.js';
import { createMetrics, type Registry } from './metrics.js';
import { registerErrorHandling } from './http/error-handler.js';
import { createInboundAuthenticator, type AuthRequirement, type Principal } from './http/auth.js';
import requestMetrics from './http/request-metrics.js';
import type { ReadinessCheck } from './http/readiness.js';
import healthRoutes from './http/routes/health.js';
import pingRoutes from './http/routes/ping.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `/v1` routes default to `callout`. */
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A part of the proxy (jobs, a flow, …) contributing routes, readiness checks and cleanup. */
export interface AppPart {
  name: string;
  routes?: (app: FastifyInstance) => Promise<void>;
  readiness?: Record<string, ReadinessCheck>;
  close?: () => Promise<void>;
}

export interface BuildAppOptions {
  config: Config;
  /** A pino logger to use instead of one built from config (tests capture logs this way). */
  logger?: Logger;
  registry?: Registry;
  parts?: AppPart[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const registry = opts.registry ?? createMetrics({ defaultMetrics: false });
  const parts = opts.parts ?? [];

  const serverOptions: FastifyServerOptions = {
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Salesforce and load balancers send a request id; keep it so one id follows a record end to end.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  };
  const logging = opts.logger
    ? { loggerInstance: opts.logger as unknown as FastifyBaseLogger }
    : { logger: loggerOptions(config) };
  const app = Fastify({ ...serverOptions, ...logging }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await app.register(requestMetrics, { registry });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'F&O Bridge proxy',
        version: VERSION,
        description:
          'Moves records between Salesforce and Dynamics 365 Finance & Operations. Every error is application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A JWT signed by the Salesforce External Credential (RS256, pinned certificate), or a development API key.',
          },
          admin: { type: 'http', scheme: 'bearer', description: 'An operator key from ADMIN_API_KEYS.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  if (config.MAX_EVENT_LOOP_DELAY_MS > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS,
      retryAfter: 10,
      exposeStatusRoute: false,
    });
  }

  const authenticator = createInboundAuthenticator({
    jwtCertificatePem: config.INBOUND_JWT_CERT,
    jwtIssuer: config.INBOUND_JWT_ISSUER,
    jwtAudience: config.INBOUND_JWT_AUDIENCE,
    clockSkewS: config.INBOUND_JWT_CLOCK_SKEW_S,
    devApiKeys: config.INBOUND_API_KEYS,
    adminApiKeys: config.ADMIN_API_KEYS,
  });
  // Runs for matched and unmatched routes alike, so unknown /v1 paths are 401 too.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (path !== '/v1' && !path.startsWith('/v1/')) return;
    const requirement = request.routeOptions.config?.auth ?? 'callout';
    if (requirement === 'public') return;
    request.principal = await authenticator.authenticate(request.headers.authorization, requirement);
  });

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  const readiness: Record<string, ReadinessCheck> = {};
  for (const part of parts) Object.assign(readiness, part.readiness);
  await app.register(healthRoutes, { checks: readiness, version: VERSION });
  await app.register(pingRoutes);
  for (const part of parts) if (part.routes) await app.register(part.routes);

  app.addHook('onClose', async () => {
    // Close in reverse order of composition: flows before the store they write to.
    for (const part of [...parts].reverse()) {
      try {
        await part.close?.();
      } catch (err) {
        app.log.error({ err, part: part.name }, 'failed to close part');
      }
    }
  });

  app.log.debug({ auth: authenticator.describe() }, 'inbound authentication configured');
  return app as unknown as FastifyInstance;
}
