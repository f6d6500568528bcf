/**
 * Writes docs/openapi.json from the route schemas, or with --check fails when the committed
 * copy differs from what the code generates (so API changes are reviewed as documents too).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../../proxy/src/app.js';
import { loadConfig } from '../../proxy/src/config.js';
import { createMetrics } from '../../proxy/src/metrics.js';
import { createParts } from '../../proxy/src/runtime.js';

const target = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
const check = process.argv.includes('--check');

const config = loadConfig({
  NODE_ENV: 'test',
  STORE_URL: 'sqlite::memory:',
  MAX_EVENT_LOOP_DELAY_MS: '0',
  LOG_LEVEL: 'silent',
});
const logger = pino({ level: 'silent' });
const registry = createMetrics({ defaultMetrics: false });
const app = await buildApp({
  config,
  logger,
  registry,
  parts: await createParts(config, { logger, registry }),
});
await app.ready();
const generated = `${JSON.stringify(app.swagger(), null, 2)}\n`;
await app.close();

if (check) {
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    console.error('docs/openapi.json is out of date: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('docs/openapi.json matches the routes.');
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target}`);
}
