/**
 * Logger options shared by the app and the CLI. Redaction is on by default: authorization
 * headers, cookies, tokens, secrets, keys and passwords never reach a log line, whatever
 * object they hide in (pino paths are case sensitive, so both common spellings are listed).
 */
import type { LoggerOptions } from 'pino';
import type { Config } from './config.js';

const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'access_token',
  'accessToken',
  'refresh_token',
  'id_token',
  'token',
  'assertion',
  'client_secret',
  'clientSecret',
  'secret',
  'password',
  'privateKey',
  'private_key',
  'apiKey',
  'apiKeys',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.map((k) => (/^[A-Za-z_]+$/.test(k) ? k : `["${k}"]`)),
  ...SECRET_KEYS.map((k) => (/^[A-Za-z_]+$/.test(k) ? `*.${k}` : `*["${k}"]`)),
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.D365_CLIENT_SECRET',
  'config.D365_CLIENT_CERT_PATH',
  'config.SF_PRIVATE_KEY',
  'config.INBOUND_API_KEYS',
  'config.ADMIN_API_KEYS',
];

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(config.LOG_FORMAT === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
          },
        }
      : {}),
  };
}
