/**
 * The shared F&O pause, pushed to every replica the moment one of them extends it.
 *
 * Polling the `pauses` row (the governor reads it at most every `sharedPollMs`) lets other
 * replicas send for up to that long inside a pause F&O has just handed out. With PostgreSQL the
 * store's `extendPause` also sends `pg_notify` (committed with the row), and each replica keeps
 * one connection of its own that `LISTEN`s and hands the new end to the governor at once
 * (milliseconds). The poll stays as the fallback: while this connection is down (a database
 * restart) or a notification is lost, the next poll still finds the pause. A notification can
 * only lengthen a pause, never shorten it (the governor keeps the larger end).
 *
 * The replica that was refused also announces the pause on this connection at once, beside the
 * row's write: that write waits for a free pooled connection, which a busy replica may not have
 * for tens of milliseconds, while the other replicas keep sending.
 */
import pg from 'pg';

/** One channel per database; the payload names the schema, so deployments sharing a database ignore each other. */
export const PAUSE_CHANNEL = 'fobridge_pause';

/** The payload `extendPause` sends: schema, scope and the pause's end (epoch ms). */
export interface PauseNotice {
  schema: string;
  scope: string;
  untilMs: number;
}

export function encodePauseNotice(n: PauseNotice): string {
  return JSON.stringify([n.schema, n.scope, n.untilMs]);
}

export function decodePauseNotice(payload: string | undefined): PauseNotice | undefined {
  try {
    const [schema, scope, untilMs] = JSON.parse(payload ?? '') as unknown[];
    if (typeof schema !== 'string' || typeof scope !== 'string' || typeof untilMs !== 'number')
      return undefined;
    return { schema, scope, untilMs };
  } catch {
    return undefined;
  }
}

type Listener = (untilMs: number) => void;

export interface PauseListenerOptions {
  connectionString: string;
  schema: string;
  /** First wait before connecting again after the connection broke (doubles up to 30 s). */
  reconnectMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

/**
 * Holds the `LISTEN` connection (opened with the first subscriber, closed with the store) and
 * dispatches notices by scope. Reconnects on its own after a database restart.
 */
export class PauseListener {
  private readonly listeners = new Map<string, Set<Listener>>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private closed = false;

  constructor(private readonly options: PauseListenerOptions) {
    this.retryMs = options.reconnectMs ?? 500;
  }

  /** Calls `fn` with every new pause end for `scope`; returns the unsubscribe function. */
  subscribe(scope: string, fn: Listener): () => void {
    let set = this.listeners.get(scope);
    if (!set) this.listeners.set(scope, (set = new Set()));
    set.add(fn);
    void this.connect();
    return () => {
      set.delete(fn);
    };
  }

  /** Sends the notice on the LISTEN connection now (when it is up); the row's own notice follows. */
  announce(scope: string, untilMs: number): void {
    const payload = encodePauseNotice({ schema: this.options.schema, scope, untilMs: Math.floor(untilMs) });
    this.client?.query('SELECT pg_notify($1, $2)', [PAUSE_CHANNEL, payload]).catch(() => {});
  }

  /** Resolves once the `LISTEN` is in place (tests); never rejects. */
  ready(): Promise<void> {
    return this.connecting ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }

  private connect(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    // Named, so an operator (and the test) can tell this connection in pg_stat_activity.
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: `fobridge-pause:${this.options.schema}`.slice(0, 63),
    });
    // Without a listener an 'error' (the server restarting) would end the process.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (m) => {
      if (m.channel !== PAUSE_CHANNEL) return;
      const notice = decodePauseNotice(m.payload);
      if (!notice || notice.schema !== this.options.schema) return;
      for (const fn of this.listeners.get(notice.scope) ?? []) fn(notice.untilMs);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${PAUSE_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.retryMs = this.options.reconnectMs ?? 500;
    } catch (err) {
      this.options.logger?.warn(
        { err: { message: (err as Error).message } },
        'shared F&O pause: cannot listen for notifications; polling meanwhile',
      );
      await client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(30_000, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, wait);
    this.retryTimer.unref();
  }
}
