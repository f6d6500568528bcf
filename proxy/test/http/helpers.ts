import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { REDACT_PATHS } from '../../src/logging.js';

/** Config for tests: no .env, no process.env leakage, small and explicit. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    STORE_URL: 'sqlite::memory:',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...overrides,
  });
}

/** A logger whose every line lands in `lines`, with the production redaction paths. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  return { logger, lines };
}
