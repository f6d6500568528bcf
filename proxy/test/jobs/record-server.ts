/**
 * A tiny HTTP "record store" standing in for F&O CustomersV3 in the crash tests: counts creates
 * per key (a second create of a key is a 409 and counted as a duplicate), keeps the last version,
 * and watches for two workers in the same key (or job) at the same time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordServer {
  url: string;
  records: Map<string, { version: string; creates: number }>;
  duplicateCreates: number;
  overlaps: string[];
  begins: Map<string, number>;
  /** Jobs begun per worker id. */
  byWorker: Map<string, number>;
  ticks: Array<{ slot: string; worker: string }>;
  /** Artificial latency per request (ms). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startRecordServer(): Promise<RecordServer> {
  const active = new Map<string, string>(); // key → jobId
  const state: RecordServer = {
    url: '',
    records: new Map(),
    duplicateCreates: 0,
    overlaps: [],
    begins: new Map(),
    byWorker: new Map(),
    ticks: [],
    delayMs: 0,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const send = (status: number, json?: unknown) => {
        const go = () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(json === undefined ? '' : JSON.stringify(json));
        };
        if (state.delayMs > 0) setTimeout(go, state.delayMs);
        else go();
      };
      const data = body ? (JSON.parse(body) as Record<string, string>) : {};
      const url = req.url ?? '/';
      const m = /^\/records\/(.+)$/.exec(url);
      if (req.method === 'POST' && url === '/begin') {
        const other = active.get(data.key!);
        // a killed worker never sends /end: only a *live* overlap counts, i.e. a different job id
        // or the same job while the earlier holder is still a different worker
        if (other !== undefined && other !== `${data.jobId}`)
          state.overlaps.push(`${data.key}: ${other} & ${data.jobId}`);
        active.set(data.key!, `${data.jobId}`);
        state.begins.set(data.jobId!, (state.begins.get(data.jobId!) ?? 0) + 1);
        state.byWorker.set(data.worker!, (state.byWorker.get(data.worker!) ?? 0) + 1);
        return send(204);
      }
      if (req.method === 'POST' && url === '/end') {
        if (active.get(data.key!) === `${data.jobId}`) active.delete(data.key!);
        return send(204);
      }
      if (req.method === 'POST' && url === '/ticks') {
        state.ticks.push({ slot: data.slot!, worker: data.worker! });
        return send(204);
      }
      if (req.method === 'POST' && url === '/records') {
        const existing = state.records.get(data.key!);
        if (existing) {
          state.duplicateCreates++;
          existing.creates++;
          return send(409, { error: 'exists' });
        }
        state.records.set(data.key!, { version: data.version!, creates: 1 });
        return send(201, { key: data.key, version: data.version });
      }
      if (m && req.method === 'GET') {
        const r = state.records.get(decodeURIComponent(m[1]!));
        return r
          ? send(200, { key: decodeURIComponent(m[1]!), version: r.version })
          : send(404, { error: 'not found' });
      }
      if (m && req.method === 'PUT') {
        const r = state.records.get(decodeURIComponent(m[1]!));
        if (!r) return send(404, { error: 'not found' });
        r.version = data.version!;
        return send(200, { version: r.version });
      }
      send(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
