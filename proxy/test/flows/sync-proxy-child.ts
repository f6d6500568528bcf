/**
 * A whole proxy in a child process (crash tests): built from the environment exactly as main.ts
 * builds it, listening on a free port; tells the parent its URL over IPC. The parent kills it
 * with SIGKILL at the worst moment and starts another one on the same store.
 */
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime.js';

const config = loadConfig(process.env);
const logger = pino({ level: process.env.FLOWS_LOG ?? 'silent' });
const registry = createMetrics({ defaultMetrics: false });
const runtime = await createRuntime(config, {
  logger,
  registry,
  d365Overrides: {
    authorityMetadataOverride: { tokenEndpoint: process.env.TEST_D365_TOKEN_ENDPOINT! },
    retryBaseDelayMs: 20,
  },
});
const app = await buildApp({ config, logger, registry, parts: runtime.parts });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ url });
