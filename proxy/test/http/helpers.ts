import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { loggerOptions } from '../../src/logging.js';

/** Config for tests: no .env, no process.env leakage, small and explicit. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    STORE_URL: 'sqlite::memory:',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // No hourly invoice sweep in the background of a test unless the test asks for one.
    INVOICE_SWEEP_CRON: 'off',
    ...overrides,
  });
}

/** A logger whose every line lands in `lines`, with the production redaction and serializers. */
export function capturingLogger(level: Config['LOG_LEVEL'] = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino(loggerOptions({ LOG_LEVEL: level, LOG_FORMAT: 'json' }), stream);
  return { logger, lines };
}
