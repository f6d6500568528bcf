/**
 * Process entry: read config, build the app, listen, shut down gracefully.
 * On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, stop workers, close the
 * store — bounded by SHUTDOWN_GRACE_MS, after which the process exits anyway.
 *
 * Any start-up failure (config, mapping file, store, certificate, port) prints one line naming
 * the setting and the fix and exits 78 (EX_CONFIG); the stack only with LOG_LEVEL=debug.
 *
 * The server is created here with `serverOptions` (limits and timeouts, server-options.ts) and
 * the proxy is registered into it as a plugin (app.ts).
 */
import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { pino } from 'pino';
import { bridgeApp } from './app.js';
import { loadConfig, loadDotEnv, type Config } from './config.js';
import { loggerOptions } from './logging.js';
import { createMetrics } from './metrics.js';
import { createRuntime } from './runtime.js';
import { serverOptions } from './server-options.js';
import { EX_CONFIG, explainStartupFailure, wantsStack, type ListenTarget } from './startup/explain.js';
import { storeFix } from './startup/fixes.js';
import { ensureSqliteDirectory } from './startup/sqlite-directory.js';
import { startupStep } from './startup/startup-error.js';

let listen: ListenTarget | undefined;

async function main(): Promise<void> {
  await startupStep('.env', 'cannot read the .env file', 'fix its syntax (KEY=value lines)', () =>
    loadDotEnv(),
  );
  const config: Config = loadConfig();
  listen = { port: config.PORT, host: config.HOST };
  await startupStep(
    'STORE_URL',
    'cannot create the folder of the SQLite store',
    storeFix(config.STORE_URL),
    () => ensureSqliteDirectory(config.STORE_URL),
  );

  const logger = await startupStep(
    'LOG_FORMAT',
    'cannot set up logging',
    'use LOG_FORMAT=json (pretty needs pino-pretty, a development dependency the image does not have)',
    () => pino(loggerOptions(config)),
  );
  const registry = createMetrics();
  const runtime = await createRuntime(config, { logger, registry });
  if (!runtime.d365)
    logger.warn(
      'F&O is not configured (set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET): inventory answers 503 and sync jobs retry, then dead-letter',
    );
  const app = Fastify(serverOptions(config, logger));
  await app.register(fp(bridgeApp), { config, registry, parts: runtime.parts });

  // close-with-grace arms its timer only for a *number* (a string from the environment would silently disable it).
  closeWithGrace({ delay: Number(config.SHUTDOWN_GRACE_MS) }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((err: unknown) => {
  process.stderr.write(`${explainStartupFailure(err, listen)}\n`);
  if (wantsStack(process.env)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(EX_CONFIG);
});
