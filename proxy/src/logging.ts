/**
 * Logger options shared by the app and the CLI. Redaction is on by default: authorization
 * headers, cookies, tokens, secrets, keys and passwords never reach a log line, whatever
 * object they hide in (pino paths are case sensitive, so both common spellings are listed).
 *
 * Redaction works on named paths; raw bytes have no names. Node's HTTP parser errors carry
 * `rawPacket` (the request bytes as received, `Authorization` header included), so the `err`
 * serializer drops it and every other Buffer-like field, at every level.
 */
import { stdSerializers, type LoggerOptions, type SerializedError } from 'pino';
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
  'config.D365_EVENT_KEYS',
];

/** Fields of errors that hold bytes off the wire (Node's HTTP parser: `rawPacket`). */
const RAW_FIELDS = new Set(['rawPacket', 'rawHeaders', 'rawBody', 'buffer', 'chunk', 'data']);

/** pino's error serializer without raw bytes — for the error and each of its causes. */
export function safeErrorSerializer(err: unknown): SerializedError {
  const out = stdSerializers.err(err as Error) as SerializedError & Record<string, unknown>;
  return stripRaw(out) as SerializedError;
}

function stripRaw(value: Record<string, unknown>, depth = 0): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    if (RAW_FIELDS.has(key) || Buffer.isBuffer(v) || v instanceof Uint8Array || v instanceof ArrayBuffer) {
      delete value[key];
    } else if (v && typeof v === 'object' && depth < 4) {
      stripRaw(v as Record<string, unknown>, depth + 1);
    }
  }
  return value;
}

/**
 * Paths that carry a credential: F&O's HTTPS business-event endpoint cannot send headers, so the
 * key is the last segment of `/v1/events/d365/<key>`. Matched generously (any prefix, any case):
 * this only decides what is blanked out before a path is written down.
 */
const SECRET_PATH = /(events\/d365\/)[^?#\s]*/gi;

/** The path with any credential segment replaced by `[redacted]` (logs, problem bodies). */
export function redactSecretPath(url: string): string {
  return url.replace(SECRET_PATH, '$1[redacted]');
}

/** Fastify's request fields, with the URL redacted (the default serializer logs it verbatim). */
export function requestSerializer(req: {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactSecretPath(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export const LOG_SERIALIZERS = {
  err: safeErrorSerializer,
  error: safeErrorSerializer,
  req: requestSerializer,
};

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: LOG_SERIALIZERS,
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
