/**
 * Logs carry no secret, at any level: every kind of malformed request, each with a known key in
 * `Authorization`, sent over a raw socket to a listening proxy logging at `trace`; then the
 * whole captured log is searched for the keys. Client errors answer problem+json where the
 * socket allows.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { safeErrorSerializer } from '../../src/logging.js';
import { generateSigningCertificate, signCalloutJwt } from '../../../test/support/signing.js';
import { capturingLogger, testConfig } from './helpers.js';
import { rawRequest, type RawResponse } from './raw-http.js';

const DEV_KEY = 'dev-key-SECRET-0123456789abcdef';
const ADMIN_KEY = 'admin-key-SECRET-0123456789abcdef';
const ISSUER = 'fo-bridge-salesforce';
const AUDIENCE = 'fo-bridge';

const captured = capturingLogger('trace');
let app: FastifyInstance;
let port: number;
let jwt: string;

beforeAll(async () => {
  const sf = generateSigningCertificate('salesforce-callouts');
  jwt = await signCalloutJwt(sf.privateKeyPem, {
    iss: ISSUER,
    aud: AUDIENCE,
    scope: 'sync',
    jti: randomUUID(),
  });
  app = await buildApp({
    config: testConfig({
      LOG_LEVEL: 'trace',
      INBOUND_API_KEYS: DEV_KEY,
      ADMIN_API_KEYS: ADMIN_KEY,
      INBOUND_JWT_CERT: sf.certificatePem,
      INBOUND_JWT_ISSUER: ISSUER,
      INBOUND_JWT_AUDIENCE: AUDIENCE,
      BODY_LIMIT_BYTES: '2048',
    }),
    logger: captured.logger,
    parts: [
      {
        name: 'echo',
        routes: async (a) => {
          a.post('/v1/echo', { config: { auth: 'callout' } }, async (req) => ({ got: typeof req.body }));
        },
      },
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app?.close());

/** A request with the credential in it; `lines` are the request line and headers, raw. */
function malformed(credential: string, lines: string[], body = ''): string {
  const [first, ...rest] = lines;
  return (
    [first, 'Host: 127.0.0.1', 'Connection: close', `Authorization: Bearer ${credential}`, ...rest].join(
      '\r\n',
    ) +
    '\r\n\r\n' +
    body
  );
}

const CASES: Array<{ name: string; bytes: (key: string) => string; status: number }> = [
  {
    name: 'bad header token',
    status: 400,
    bytes: (k) => malformed(k, ['GET /v1/ping HTTP/1.1', 'X-Bad Header: 1']),
  },
  { name: 'bad method', status: 400, bytes: (k) => malformed(k, ['G@T /v1/ping HTTP/1.1']) },
  { name: 'bad HTTP version', status: 400, bytes: (k) => malformed(k, ['GET /v1/ping HTTP/9.Z']) },
  { name: 'space in the target', status: 400, bytes: (k) => malformed(k, ['GET /v1/p ing x HTTP/1.1']) },
  {
    name: 'control character in a header value',
    status: 400,
    bytes: (k) => malformed(k, ['GET /v1/ping HTTP/1.1', 'X-A: a\x01b']),
  },
  {
    name: 'header without a colon',
    status: 400,
    bytes: (k) => malformed(k, ['GET /v1/ping HTTP/1.1', 'NoColonHere']),
  },
  {
    name: 'oversized header',
    status: 431,
    bytes: (k) => malformed(k, ['GET /v1/ping HTTP/1.1', `X-Big: ${'a'.repeat(20_000)}`]),
  },
  {
    name: 'bad chunked encoding',
    status: 400,
    bytes: (k) =>
      malformed(
        k,
        ['POST /v1/echo HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
  },
  {
    name: 'non-numeric content-length',
    status: 400,
    bytes: (k) =>
      malformed(k, ['POST /v1/echo HTTP/1.1', 'Content-Type: application/json', 'Content-Length: abc'], '{}'),
  },
  {
    name: 'conflicting content-lengths',
    status: 400,
    bytes: (k) =>
      malformed(
        k,
        [
          'POST /v1/echo HTTP/1.1',
          'Content-Type: application/json',
          'Content-Length: 2',
          'Content-Length: 3',
        ],
        '{}x',
      ),
  },
  {
    name: 'content-length and chunked together (smuggling)',
    status: 400,
    bytes: (k) =>
      malformed(
        k,
        [
          'POST /v1/echo HTTP/1.1',
          'Content-Type: application/json',
          'Content-Length: 4',
          'Transfer-Encoding: chunked',
        ],
        '2\r\n{}\r\n0\r\n\r\n',
      ),
  },
  {
    name: 'invalid JSON',
    status: 400,
    bytes: (k) =>
      malformed(
        k,
        ['POST /v1/echo HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 9'],
        `{"a":${'x'.repeat(4)}`,
      ),
  },
  {
    name: 'empty JSON body',
    status: 400,
    bytes: (k) =>
      malformed(k, ['POST /v1/echo HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 0']),
  },
  {
    name: 'wrong content type',
    status: 415,
    bytes: (k) =>
      malformed(k, ['POST /v1/echo HTTP/1.1', 'Content-Type: text/x-secret', 'Content-Length: 2'], '{}'),
  },
  {
    name: 'body over the limit',
    status: 413,
    bytes: (k) =>
      malformed(
        k,
        ['POST /v1/echo HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 5000'],
        `"${'a'.repeat(4998)}"`,
      ),
  },
  { name: 'undecodable path', status: 404, bytes: (k) => malformed(k, ['GET /v1/%c0%af HTTP/1.1']) },
  {
    name: 'absolute-form to a strange host (a valid key: 404)',
    status: 404,
    bytes: (k) => malformed(k, ['GET http://evil.example/v1/nope HTTP/1.1']),
  },
  {
    name: 'TLS hello on the plain port',
    status: 400,
    bytes: (k) => `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 Bearer ${k}\r\n\r\n`,
  },
];

describe('malformed requests at LOG_LEVEL=trace', () => {
  const credentials = () => [
    ['dev key', DEV_KEY],
    ['admin key', ADMIN_KEY],
    ['JWT', jwt],
  ];

  it('answers each with problem+json where the socket allows', async () => {
    for (const c of CASES) {
      const res: RawResponse = await rawRequest(port, Buffer.from(c.bytes(DEV_KEY), 'latin1'));
      expect(res.status, c.name).toBe(c.status);
      expect(res.headers['content-type'], c.name).toContain('application/problem+json');
      const body = JSON.parse(res.body) as { status: number; code: string };
      expect(body.status, c.name).toBe(c.status);
      expect(body.code, c.name).toMatch(/^[A-Z_]+$/);
      expect(res.raw, c.name).not.toContain(DEV_KEY);
    }
  });

  it('never writes a key to the log, whatever was sent', async () => {
    for (const [, key] of credentials()) {
      for (const c of CASES) await rawRequest(port, Buffer.from(c.bytes(key!), 'latin1'));
    }
    // Give pino's synchronous destination a tick, then read everything it wrote.
    await new Promise((r) => setTimeout(r, 50));
    const all = captured.lines.join('\n');
    expect(captured.logger.level).toBe('trace');
    for (const [name, key] of credentials()) {
      expect(all.includes(key!), `${name} found in the log`).toBe(false);
      // Nor in pieces (a JWT's signature part alone identifies it), nor as the bytes of a
      // serialized Buffer (`"data":[71,69,…]`), base64 or hex.
      const bytes = Buffer.from(key!.slice(-16));
      for (const form of [
        key!.split('.').pop()!,
        [...bytes].join(','),
        bytes.toString('base64'),
        bytes.toString('hex'),
      ])
        expect(all.includes(form), `${name} found in the log as ${form}`).toBe(false);
    }
    expect(all).not.toContain('rawPacket');
    expect(all).toContain('malformed request refused');
    expect(all).not.toContain('SECRET');
  });
});

describe('the err serializer', () => {
  it('drops raw bytes from an error and its causes, keeps what explains it', () => {
    const packet = Buffer.from(`GET / HTTP/1.1\r\nAuthorization: Bearer ${DEV_KEY}\r\n`);
    const cause = Object.assign(new Error('inner'), { chunk: packet, body: new Uint8Array(packet) });
    const err = Object.assign(new Error('Parse Error', { cause }), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      rawPacket: packet,
    });
    const out = JSON.stringify(safeErrorSerializer(err));
    expect(out).toContain('HPE_INVALID_HEADER_TOKEN');
    expect(out).toContain('Parse Error');
    expect(out).not.toContain('rawPacket');
    expect(out).not.toContain([...Buffer.from(DEV_KEY)].slice(0, 8).join(','));
  });
});
