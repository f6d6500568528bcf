/**
 * The proxy as a Fastify plugin (`bridgeApp`): `main.ts` creates the server with the options of
 * `server-options.ts` and registers it; tests do the same through `buildApp` and call `inject`
 * or `listen(0)`. Order: the spine (problems, metrics, access) → external plugins (swagger,
 * under-pressure) → routes. The spine's parts are named plugins (`http/plugins/`) that decorate
 * the instance, and each plugin that needs one names it in `dependencies`, so Fastify refuses to
 * start when the order is wrong. Every resource a part opens is closed in `onClose`.
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
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
import { createMetrics, type Registry } from './metrics.js';
import { createInboundAuthenticator, type Principal, type RouteAccess } from './http/auth.js';
import { operationalAccess } from './http/access.js';
import type { AppPart } from './http/app-part.js';
import accessPlugin from './http/plugins/access.js';
import metricsPlugin from './http/plugins/metrics.js';
import problemsPlugin from './http/plugins/problems.js';
import requestMetrics from './http/request-metrics.js';
import type { ReadinessCheck } from './http/readiness.js';
import healthRoutes from './http/routes/health.js';
import pingRoutes from './http/routes/ping.js';
import { serverOptions } from './server-options.js';
import { VERSION } from './version.js';

export type { AppPart } from './http/app-part.js';

export interface BridgeAppOptions {
  config: Config;
  registry: Registry;
  parts?: AppPart[];
  /** Called for every route as it is registered (the route-walk test checks each declares access). */
  onRoute?: (route: RouteOptions) => void;
}

export interface BuildAppOptions extends Omit<BridgeAppOptions, 'registry'> {
  /** A pino logger to use instead of one built from config (tests capture logs this way). */
  logger?: Logger;
  registry?: Registry;
}

/** What main.ts does, for tests: a server with the production options and the app registered. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(opts.config, opts.logger));
  await app.register(fp(bridgeApp), {
    ...opts,
    registry: opts.registry ?? createMetrics({ defaultMetrics: false }),
  });
  return app;
}

/** The proxy: registered without encapsulation (`fp(bridgeApp)`) so its hooks and handlers apply everywhere. */
export async function bridgeApp(root: FastifyInstance, opts: BridgeAppOptions): Promise<void> {
  const { config, registry } = opts;
  const parts = opts.parts ?? [];
  const app = root.withTypeProvider<ZodTypeProvider>();

  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(problemsPlugin);
  await app.register(metricsPlugin, { registry });
  await app.register(requestMetrics);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });

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
    eventKeys: config.D365_EVENT_KEYS,
    tokenIds: parts.find((p) => p.tokenIds)?.tokenIds,
  });
  // Before any route is added, so every route — Swagger UI's too — gets the check.
  await app.register(accessPlugin, {
    authenticator,
    onAuthenticated: (principal: Principal) => {
      for (const part of parts) part.onAuthenticated?.(principal);
    },
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
              'A JWT signed by a Salesforce External Credential (RS256, pinned certificate): scope `inventory` opens GET /v1/inventory, scope `sync` the sync routes (each jti once). Or a development API key.',
          },
          admin: { type: 'http', scheme: 'bearer', description: 'An operator key from ADMIN_API_KEYS.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  // Swagger UI's routes are routes too: they declare access through this wrapper's onRoute hook.
  const docsAccess: RouteAccess = operationalAccess(config.DOCS_PUBLIC, config.NODE_ENV);
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: docsAccess };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  });

  await app.register(
    fp(
      async (routes) => {
        const metricsAccess = operationalAccess(config.METRICS_PUBLIC, config.NODE_ENV);
        routes.get(
          '/metrics',
          { config: { auth: metricsAccess }, schema: { hide: true } },
          async (_request, reply) => {
            reply.type(routes.metricsRegistry.contentType);
            return routes.metricsRegistry.metrics();
          },
        );

        const readiness: Record<string, ReadinessCheck> = {};
        for (const part of parts) Object.assign(readiness, part.readiness);
        await routes.register(healthRoutes, { checks: readiness });
        await routes.register(pingRoutes);
        for (const part of parts) if (part.routes) await routes.register(part.routes);
      },
      {
        name: 'fobridge-routes',
        dependencies: ['fobridge-problems', 'fobridge-metrics', 'fobridge-access', '@fastify/swagger'],
      },
    ),
  );

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
}
