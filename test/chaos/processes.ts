/**
 * The real processes of a fault-matrix run: the emulator host and built proxies
 * (`node <dist>/main.js`, configured only through environment variables, each in its own
 * process group so a SIGKILL takes the whole group as an orchestrator would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KEY = 'chaos-dev-key-0123456789abcdef';
export const ADMIN = 'chaos-admin-key-0123456789abcdef';
/** The key in the business-event endpoint's URL (F&O cannot send headers). */
export const EVENT_KEY = 'chaos-event-key-0123456789abcdefghij';

export interface World {
  d365: { url: string; httpsUrl: string; tenantId: string; clientId: string; clientSecret: string };
  sf: { url: string; loginUrl: string; consumerKey: string; username: string; privateKeyPem: string };
  gate: string;
  timeScale: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startWorld(timeScale: number): Promise<World> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/chaos/emulator-host.ts')], {
    cwd: ROOT,
    env: { ...process.env, CHAOS_TIME_SCALE: String(timeScale) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator host exited (${code})`)));
  });
  const info = JSON.parse(line) as Omit<World, 'stop'>;
  return { ...info, stop: () => stopChild(child, 'SIGTERM') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
  });
}

export interface Proxy {
  name: string;
  url: string;
  child: ChildProcess;
  /** SIGKILL to the process group (nothing gets to clean up). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT to the process group. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  alive(): boolean;
  /** Why it ended, with the end of its stderr (for the report). */
  exitReason(): string;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, group = false): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      if (group && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      resolve();
    }
    if (signal !== 'SIGKILL') setTimeout(() => stopChild(child, 'SIGKILL', group), 10_000).unref();
  });
}

/** Environment of a proxy against this world, as an operator would write it. */
export function proxyEnv(
  world: World,
  store: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: join(ROOT, '.tmp/tls/dev-cert.pem'),
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.CHAOS_LOG ?? 'warn',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    STORE_URL: store,
    INBOUND_API_KEYS: KEY,
    ADMIN_API_KEYS: ADMIN,
    BRIDGE_CONFIG: join(ROOT, 'test/fixtures/bridge.demo.json'),
    D365_URL: world.d365.httpsUrl,
    ENTRA_AUTHORITY_HOST: world.d365.httpsUrl,
    D365_TENANT_ID: world.d365.tenantId,
    D365_CLIENT_ID: world.d365.clientId,
    D365_CLIENT_SECRET: world.d365.clientSecret,
    SF_LOGIN_URL: world.sf.loginUrl,
    SF_CLIENT_ID: world.sf.consumerKey,
    SF_USERNAME: world.sf.username,
    SF_PRIVATE_KEY: world.sf.privateKeyPem,
    JOB_LEASE_S: '5',
    JOB_POLL_MS: '50',
    JOB_CONCURRENCY: '16',
    JOB_MAX_ATTEMPTS: '12',
    SYNC_WRITEBACK_FLUSH_MS: '50',
    SYNC_SWEEP_CRON: 'off',
    D365_EVENT_KEYS: EVENT_KEY,
    // The invoice sweep every 10 s over the last day: it finds the invoices whose business event
    // could not be delivered (the endpoint down longer than F&O's 3 tries) within a row.
    INVOICE_SWEEP_CRON: '*/10 * * * * *',
    INVOICE_SWEEP_DAYS: '1',
    SHUTDOWN_GRACE_MS: '3000',
    ...extra,
  };
}

export async function startProxy(
  dist: string,
  name: string,
  env: Record<string, string>,
  port?: number,
): Promise<Proxy> {
  const p = port ?? (await freePort());
  // The test-only clock hook is loaded only for a replica whose clock the run shifts.
  const preload = env.FOBRIDGE_TEST_CLOCK_SHIFT_MS
    ? ['--import', join(ROOT, 'test/chaos/clock-shift.mjs')]
    : [];
  const child = spawn(process.execPath, [...preload, join(dist, 'main.js')], {
    cwd: ROOT,
    env: { ...env, PORT: String(p) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group
  });
  // Its log (stdout, LOG_LEVEL warn) and stderr, the end kept for the report of a replica that died.
  let stderr = '';
  const keep = (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
    if (process.env.CHAOS_LOG) process.stderr.write(`[${name}] ${c.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`proxy ${name} exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGKILL', true);
      throw new Error(`proxy ${name} did not start: ${stderr}`);
    }
    await sleep(100);
  }
  const group = (signal: NodeJS.Signals) => {
    if (child.pid) process.kill(-child.pid, signal);
  };
  return {
    name,
    url,
    child,
    kill: () => stopChild(child, 'SIGKILL', true),
    pause: () => group('SIGSTOP'),
    resume: () => group('SIGCONT'),
    stop: () => stopChild(child, 'SIGTERM', true),
    alive: () => child.exitCode === null && child.signalCode === null,
    exitReason: () => `${name} exited (${child.exitCode ?? child.signalCode}): ${lastError(stderr)}`,
  };
}

/** The last error (pino level ≥ 50) in a log tail: its message and the error's, else the last line. */
function lastError(tail: string): string {
  const lines = tail.trim().split('\n');
  for (const line of lines.reverse()) {
    try {
      const e = JSON.parse(line) as {
        level?: number;
        msg?: string;
        err?: { message?: string; type?: string };
      };
      if ((e.level ?? 0) >= 50)
        return `${e.msg ?? ''}: ${e.err?.type ?? ''} ${e.err?.message ?? ''}`.slice(0, 300);
    } catch {
      // not a log line (a stack on stderr)
    }
  }
  return (lines[0] ?? '').slice(0, 300);
}
