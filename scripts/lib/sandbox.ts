/**
 * The sandbox: everything in one process for a person to try. Prints where each part listens,
 * a ready-to-paste curl, and stops cleanly on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../../proxy/src/app.js';
import { loadConfig } from '../../proxy/src/config.js';
import { loggerOptions } from '../../proxy/src/logging.js';
import { createMetrics } from '../../proxy/src/metrics.js';
import { createParts } from '../../proxy/src/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = `${root}.tmp/sandbox`;
mkdirSync(dataDir, { recursive: true });

const port = Number(process.env.PORT ?? 8080);
const devKey = process.env.SANDBOX_API_KEY ?? `sandbox-${randomBytes(18).toString('base64url')}`;
const adminKey = process.env.SANDBOX_ADMIN_KEY ?? `admin-${randomBytes(18).toString('base64url')}`;

const closers: Array<() => Promise<void>> = [];

const config = loadConfig({
  ...process.env,
  NODE_ENV: 'development',
  PORT: String(port),
  HOST: process.env.HOST ?? '127.0.0.1',
  LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  STORE_URL: process.env.STORE_URL ?? `sqlite:${dataDir}/bridge.db`,
  INBOUND_API_KEYS: devKey,
  ADMIN_API_KEYS: adminKey,
});
const logger = pino(loggerOptions(config));
const registry = createMetrics();
const app = await buildApp({
  config,
  logger,
  registry,
  parts: await createParts(config, { logger, registry }),
});
closers.unshift(() => app.close());
const address = await app.listen({ port: config.PORT, host: config.HOST });

const banner = [
  '',
  'F&O Bridge sandbox is running',
  '',
  `  proxy         ${address}`,
  `  API docs      ${address}/docs`,
  `  health        ${address}/healthz   readiness ${address}/readyz`,
  `  store         ${config.STORE_URL}`,
  '',
  `  dev API key   ${devKey}`,
  `  admin key     ${adminKey}`,
  '',
  '  try:',
  `    curl -s -H 'Authorization: Bearer ${devKey}' ${address}/v1/ping`,
  '',
  'Ctrl-C stops everything.',
  '',
];
process.stdout.write(`${banner.join('\n')}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping…\n`);
  const timer = setTimeout(() => process.exit(1), 10_000).unref();
  for (const close of closers) await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
  clearTimeout(timer);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
