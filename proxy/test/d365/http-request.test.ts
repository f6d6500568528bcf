/**
 * The F&O client's HTTP exchange on Node's own http module (no axios): what it must keep doing
 * that axios did for it — decode compressed OData pages, and give a stuck answer up as a timeout
 * that the retry policy recognises.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { D365Unavailable } from '../../src/d365/index.js';
import { clientFor, startServer, type TestServer } from './helpers.js';

let servers: TestServer[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('HTTP exchange with F&O', () => {
  it('reads a gzip-compressed OData page as F&O sends it when asked', async () => {
    const page = {
      value: Array.from({ length: 300 }, (_, i) => ({
        CustomerGroupId: `G${i}`,
        Description: 'x'.repeat(40),
      })),
    };
    let acceptEncoding: string | undefined;
    const fo = await startServer((req, res) => {
      acceptEncoding = req.headers['accept-encoding'] as string | undefined;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(page)));
    });
    servers.push(fo);
    const c = clientFor(fo.url);
    closers.push(() => c.close());
    const rows = await c.odata
      .query<{ CustomerGroupId: string }>('CustomerGroups', { company: 'usmf' })
      .all();
    expect(acceptEncoding).toContain('gzip');
    expect(rows).toHaveLength(300);
    expect(rows[299]!.CustomerGroupId).toBe('G299');
  });

  it('gives up a read F&O never answers after the attempt timeout, retries it, then reports F&O unavailable', async () => {
    const fo = await startServer(() => {
      /* never answers */
    });
    servers.push(fo);
    const c = clientFor(fo.url, { timeoutMs: 150, maxAttempts: 2, retryBaseDelayMs: 10 });
    closers.push(() => c.close());
    const started = Date.now();
    const err = await c.odata
      .query('CustomerGroups', { company: 'usmf' })
      .all()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365Unavailable);
    expect(fo.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
