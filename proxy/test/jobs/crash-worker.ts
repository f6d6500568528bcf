/**
 * Child process for crash.test.ts and two-workers.test.ts: opens the store, runs the queue with a
 * handler that writes to the test's HTTP "record store" safely (look up by key, create when
 * missing, update when older), and optionally a scheduler. The parent kills it with SIGKILL at
 * random moments.
 *
 * env: STORE_URL, TARGET_URL, LEASE_MS, CONCURRENCY, WORKER_ID, SCHEDULE_CRON (optional)
 */
import http from 'node:http';
import { createJobQueue } from '../../src/jobs/queue.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { openStore } from '../../src/jobs/store.js';
import { QUEUE_SETTINGS } from './helpers.js';

const env = process.env;
const target = env.TARGET_URL!;
const worker = env.WORKER_ID ?? String(process.pid);

// node:http with a keep-alive agent: several times faster than fetch for many tiny requests.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${target}${path}`,
      { method, agent, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 500)
            return reject(Object.assign(new Error(`target ${status}`), { code: `HTTP_${status}` }));
          resolve({ status, json: text ? JSON.parse(text) : null });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const store = await openStore(env.STORE_URL!);
const queue = createJobQueue({
  ...QUEUE_SETTINGS,
  store,
  leaseMs: Number(env.LEASE_MS ?? 1000),
  pollMs: 20,
  backoff: { baseMs: 20, capMs: 200 },
});

queue.registerHandler<{ value: string }>('record', async (job) => {
  await call('POST', `/begin`, { key: job.key, jobId: job.id, worker });
  try {
    // Safe to repeat: look up first; create only when missing; update only when older.
    const found = await call('GET', `/records/${encodeURIComponent(job.key)}`);
    if (found.status === 404) {
      const created = await call('POST', '/records', { key: job.key, version: job.version });
      if (created.status === 409) {
        // Committed by an earlier attempt we did not see: fall through to the update check.
        const again = await call('GET', `/records/${encodeURIComponent(job.key)}`);
        if (again.json.version < job.version) {
          await call('PUT', `/records/${encodeURIComponent(job.key)}`, { version: job.version });
        }
      }
    } else if (found.json.version < job.version) {
      await call('PUT', `/records/${encodeURIComponent(job.key)}`, { version: job.version });
    }
  } finally {
    await call('POST', `/end`, { key: job.key, jobId: job.id, worker });
  }
});

queue.registerHandler('tick', async (job) => {
  await call('POST', '/ticks', { slot: (job.payload as { slot: string }).slot, worker });
});

queue.start({ concurrency: Number(env.CONCURRENCY ?? 8) });
const scheduler = env.SCHEDULE_CRON
  ? createScheduler({
      queue,
      schedules: [{ name: 'tick', cron: env.SCHEDULE_CRON, flow: 'tick', runOnFirstSight: true }],
      tickMs: 50,
    })
  : null;
scheduler?.start();
process.send?.('ready');

process.on('SIGTERM', () => {
  void (async () => {
    await scheduler?.stop();
    await queue.stop({ graceMs: 2000 });
    await store.close();
    process.exit(0);
  })();
});
