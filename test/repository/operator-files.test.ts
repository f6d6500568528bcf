/**
 * The files an operator starts from: `.env.example` lists every variable the proxy reads (and
 * nothing else but the compose password), with no value filled in; `compose.yaml` is valid YAML
 * that runs the proxy against its PostgreSQL, with healthchecks, volumes and only real settings.
 * (yaml is the parser @fastify/swagger already brings.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../proxy/src/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const variables = Object.keys(configSchema.shape);
const COMPOSE_ONLY = ['POSTGRES_PASSWORD'];

describe('.env.example', () => {
  const text = read('.env.example');
  const keys = [...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => ({ key: m[1]!, value: m[2]! }));

  it('lists every variable of the config schema once, and nothing the proxy does not read', () => {
    const names = keys.map((k) => k.key);
    expect(variables.filter((v) => !names.includes(v))).toEqual([]);
    expect(names.filter((n) => !variables.includes(n) && !COMPOSE_ONLY.includes(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('fills in no value (no secret, no host), so copied as is the defaults apply', () => {
    expect(keys.filter((k) => k.value !== '')).toEqual([]);
    const config = loadConfig(parseEnv(text));
    expect(config).toMatchObject({
      PORT: 8080,
      STORE_URL: 'sqlite:./data/bridge.db',
      NODE_ENV: 'development',
    });
  });
});

describe('compose.yaml', () => {
  interface Service {
    build?: string;
    image?: string;
    env_file?: string;
    environment?: Record<string, string>;
    ports?: string[];
    volumes?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
  }
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const { proxy, postgres } = compose.services;

  it('runs the proxy built from this repository and a PostgreSQL, both with healthchecks', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'proxy']);
    expect(proxy!.build).toBe('.');
    expect(proxy!.env_file).toBe('.env');
    expect(proxy!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(proxy!.healthcheck!.test.join(' ')).toContain('/healthz');
    expect(postgres!.healthcheck!.test.join(' ')).toContain('pg_isready -U fobridge -d fobridge');
    expect(proxy!.ports).toEqual(['8080:8080']);
  });

  it('sets only variables the proxy reads, and a STORE_URL that points at the compose PostgreSQL', () => {
    const env = proxy!.environment!;
    expect(Object.keys(env).filter((k) => !variables.includes(k))).toEqual([]);
    expect(env.NODE_ENV).toBe('production');
    const url = new URL(env.STORE_URL!.replace(/\$\{POSTGRES_PASSWORD[^}]*\}/, 'pw'));
    const pg = postgres!.environment!;
    expect([url.protocol, url.hostname, url.port, url.username, url.pathname]).toEqual([
      'postgres:',
      'postgres',
      '5432',
      pg.POSTGRES_USER,
      `/${pg.POSTGRES_DB}`,
    ]);
    expect(pg.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/); // from .env, required
    // The mapping file the proxy is told to read is mounted there.
    expect(proxy!.volumes!.map((v) => v.split(':')[1])).toContain(env.BRIDGE_CONFIG);
  });

  it('keeps the database on a named volume', () => {
    expect(postgres!.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes)).toEqual(['pgdata']);
  });
});

describe('docs/first-deployment.md', () => {
  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  const anchors = (markdown: string) =>
    [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    );

  it('every link points at a file of the repository, and at a heading that exists', () => {
    const text = read('docs/first-deployment.md');
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#([^)\s]+))?\)/g)].map((m) => ({
      file: m[1]!,
      anchor: m[2],
    }));
    expect(links.length).toBeGreaterThan(10);
    for (const { file, anchor } of links) {
      const target = join('docs', file);
      const body = read(target);
      if (anchor) expect(anchors(body), `${target}#${anchor}`).toContain(anchor);
    }
  });
});
