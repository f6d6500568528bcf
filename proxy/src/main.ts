/**
 * Process entry: read config, build the app, listen, shut down gracefully.
 * On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, stop workers, close the
 * store — bounded by SHUTDOWN_GRACE_MS, after which the process exits anyway.
 */
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { loggerOptions } from './logging.js';
import { createMetrics } from './metrics.js';
import { createParts } from './runtime.js';

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const logger = pino(loggerOptions(config));
  const registry = createMetrics();
  const parts = await createParts(config, { logger, registry });
  const app = await buildApp({ config, logger, registry, parts });

  // close-with-grace arms its timer only for a *number* (a string from the environment would silently disable it).
  closeWithGrace({ delay: Number(config.SHUTDOWN_GRACE_MS) }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
