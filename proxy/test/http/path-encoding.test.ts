/**
 * The spellings of a path an attacker would try, against a built proxy in production mode
 * (JWT-only auth plus an admin key) listening on a real socket. For every protected route and
 * every spelling: no handler runs, and the answer is 401 or 404 problem+json.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { declaredAccess } from '../../src/http/access.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime.js';
import { generateSigningCertificate, signCalloutJwt } from '../../../test/support/signing.js';
import { capturingLogger } from './helpers.js';
import { rawRequest, requestBytes, type RawResponse } from './raw-http.js';

const ISSUER = 'fo-bridge-salesforce';
const AUDIENCE = 'fo-bridge';
const ADMIN_KEY = 'admin-key-0123456789abcdef';

interface Target {
  method: string;
  path: string;
  access: string[];
}

const reached: string[] = [];
const protectedRoutes: Target[] = [];
let app: FastifyInstance;
let port: number;
let dir: string;
let widgetJwt: () => Promise<string>;
let syncJwt: () => Promise<string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fob-paths-'));
  const sf = generateSigningCertificate('salesforce-callouts');
  widgetJwt = () => signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, scope: 'inventory' });
  syncJwt = () =>
    signCalloutJwt(sf.privateKeyPem, { iss: ISSUER, aud: AUDIENCE, scope: 'sync', jti: randomUUID() });
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    STORE_URL: `sqlite:${join(dir, 'bridge.db')}`,
    MAX_EVENT_LOOP_DELAY_MS: '0',
    INBOUND_JWT_CERT: sf.certificatePem,
    INBOUND_JWT_ISSUER: ISSUER,
    INBOUND_JWT_AUDIENCE: AUDIENCE,
    ADMIN_API_KEYS: ADMIN_KEY,
  });
  const { logger } = capturingLogger();
  const registry = createMetrics({ defaultMetrics: false });
  const runtime = await createRuntime(config, { logger, registry, startWorkers: false });
  app = await buildApp({
    config,
    logger,
    registry,
    parts: runtime.parts,
    onRoute: (route: RouteOptions) => {
      // Wrap every handler: reaching one is what must never happen without the right credential.
      const handler = route.handler;
      const name = `${String(route.method)} ${route.url}`;
      route.handler = function (this: FastifyInstance, ...args: Parameters<typeof handler>) {
        reached.push(name);
        return handler.apply(this, args);
      } as typeof handler;
      queueMicrotask(() => {
        const access = declaredAccess(route.config as { auth?: unknown });
        if (access.includes('public')) return;
        for (const method of [route.method].flat()) {
          if (method === 'HEAD') continue;
          protectedRoutes.push({ method, path: concrete(route.url), access });
        }
      });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A path that matches the route pattern: parameters and wildcards filled in. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, 'job-1').replace(/\*$/, 'index.html');
}

const pct = (c: string, upper = false) => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** Every other spelling of `path` (`/seg1/rest…`) that a lax check might miss. */
function spellings(path: string): Array<[string, string]> {
  const [, first = '', ...rest] = path.split('/');
  const tail = rest.length ? `/${rest.join('/')}` : '';
  const firstChar = first[0] ?? 'x';
  const digit = /\d/.exec(first)?.[0];
  const out: Array<[string, string]> = [
    ['percent-encoded first letter', `/${pct(firstChar)}${first.slice(1)}${tail}`],
    ['percent-encoded first letter, upper-case hex', `/${pct(firstChar, true)}${first.slice(1)}${tail}`],
    ['every letter percent-encoded', path.replace(/[A-Za-z0-9]/g, (c) => pct(c))],
    ['encoded leading slash', `/%2F${path.slice(1)}`],
    ['double slash in front', `/${path}`],
    ['double slash inside', `/${first}/${tail}`],
    ['dot segment', `/${first}/.${tail}`],
    ['dot-dot segment', `/${first}/../${first}${tail}`],
    ['encoded dot-dot', `/${first}/%2e%2e/${first}${tail}`],
    ['upper case', path.toUpperCase()],
    ['capitalised first segment', `/${first.toUpperCase()}${tail}`],
    ['trailing slash', `${path}/`],
    ['semicolon parameter at the end', `${path};jsessionid=1`],
    ['semicolon parameter in the first segment', `/${first};x=1${tail}`],
    ['overlong UTF-8 slash', `/${first}%c0%af${rest.join('/')}`],
    ['overlong UTF-8 in front', `/%c0%af${path.slice(1)}`],
    ['query string', `${path}?a=1`],
    ['fragment-like', `${path}%23x`],
  ];
  if (tail) out.push(['encoded slash between segments', `/${first}%2F${rest.join('/')}`]);
  if (digit) out.push(['percent-encoded digit', `/${first.replace(digit, pct(digit))}${tail}`]);
  return out;
}

function expectRefused(res: RawResponse, what: string): void {
  expect([401, 404], `${what}: ${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
  expect(res.headers['content-type'], what).toContain('application/problem+json');
  const body = JSON.parse(res.body) as { status: number; code: string };
  expect(body.status, what).toBe(res.status);
  expect(['UNAUTHORIZED', 'NOT_FOUND'], what).toContain(body.code);
}

async function send(
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{"records":[]}' : undefined;
  const h = body === undefined ? headers : { ...headers, 'content-type': 'application/json' };
  return rawRequest(port, requestBytes(method, target, h, body));
}

describe('path spellings against a listening production proxy', () => {
  it('has the protected routes to probe, and an admin key does reach a handler (the probe works)', async () => {
    const paths = protectedRoutes.map((r) => `${r.method} ${r.path}`);
    for (const p of [
      'GET /v1/dead-letters',
      'DELETE /v1/dead-letters/job-1',
      'POST /v1/sync/accounts',
      'POST /v1/orders',
      'GET /v1/inventory',
      'GET /v1/ping',
    ])
      expect(paths).toContain(p);
    const ok = await send('GET', '/v1/dead-letters', { authorization: `Bearer ${ADMIN_KEY}` });
    expect(ok.status).toBe(200);
    // Each Salesforce credential opens its own route in production mode (F&O is not configured
    // here, so inventory answers 503; an empty records list is a 400 from validation).
    const stock = await send('GET', '/v1/inventory?items=A1&company=usmf', {
      authorization: `Bearer ${await widgetJwt()}`,
    });
    expect(stock.status, stock.body).toBe(503);
    const sync = await send('POST', '/v1/sync/accounts', { authorization: `Bearer ${await syncJwt()}` });
    expect(sync.status, sync.body).toBe(400);
    expect(reached).toEqual(['GET /v1/dead-letters', 'GET /v1/inventory']);
    reached.length = 0;
  });

  it('the probes of the issue: 401, no handler', async () => {
    expectRefused(await send('GET', '/%761/dead-letters'), '/%761/dead-letters');
    expectRefused(await send('POST', '/%761/sync/accounts'), '/%761/sync/accounts');
    expectRefused(await send('DELETE', '/%761/dead-letters/job-1'), 'DELETE /%761/dead-letters/job-1');
    expectRefused(
      await send('GET', `http://127.0.0.1:${port}/v1/dead-letters`),
      'absolute-form /v1/dead-letters',
    );
    expect(reached).toEqual([]);
  });

  it('every spelling of every protected route, without a credential', { timeout: 120_000 }, async () => {
    let probes = 0;
    for (const route of protectedRoutes) {
      const targets: Array<[string, string]> = [
        ['as declared', route.path],
        ...spellings(route.path),
        ['absolute-form', `http://127.0.0.1:${port}${route.path}`],
        ['absolute-form, other host', `http://evil.example${route.path}`],
        ['absolute-form, encoded', `http://127.0.0.1:${port}${spellings(route.path)[0]![1]}`],
        ['absolute-form, upper-case scheme', `HTTP://127.0.0.1:${port}${route.path}`],
      ];
      for (const [how, target] of targets) {
        expectRefused(await send(route.method, target), `${route.method} ${target} (${how})`);
        probes++;
      }
    }
    expect(probes).toBeGreaterThan(200);
    expect(reached).toEqual([]);
  });

  it('the wrong credential opens nothing, however the path is spelled', { timeout: 120_000 }, async () => {
    for (const route of protectedRoutes) {
      const wrong: Array<[string, () => Promise<string>]> = [];
      if (!route.access.includes('widget')) wrong.push(['widget token', widgetJwt]);
      if (!route.access.includes('callout')) wrong.push(['sync token', syncJwt]);
      if (!route.access.includes('admin')) wrong.push(['admin key', async () => ADMIN_KEY]);
      for (const [who, credential] of wrong) {
        for (const target of [
          route.path,
          spellings(route.path)[0]![1],
          `http://127.0.0.1:${port}${route.path}`,
        ]) {
          const res = await send(route.method, target, { authorization: `Bearer ${await credential()}` });
          expectRefused(res, `${route.method} ${target} with a ${who}`);
        }
      }
    }
    expect(reached).toEqual([]);
  });

  it('unmatched paths: 401 under /v1 however spelled, 404 elsewhere', async () => {
    for (const target of [
      '/v1/no-such',
      '/%761/no-such',
      '//v1/no-such',
      '/V1/no-such',
      '/v1/x/../no-such',
    ]) {
      const res = await send('GET', target);
      expect(res.status, target).toBe(401);
      expectRefused(res, target);
    }
    for (const target of ['/no-such', '/v2/dead-letters', '/v1x/dead-letters']) {
      const res = await send('GET', target);
      expect(res.status, target).toBe(404);
      expectRefused(res, target);
    }
    expect(reached).toEqual([]);
  });
});
