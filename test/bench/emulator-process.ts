/**
 * One emulator (F&O or Salesforce) in a process of its own, for benchmarks that measure how close
 * the proxy gets to the emulated capacity: an emulator sharing the proxy's event loop and core
 * is slowed by the proxy's CPU, so the "capacity" it serves shrinks while the bench divides by the
 * nominal one. The parent talks to it over Node's IPC channel: `control(method, ...args)` calls
 * the emulator's in-process control API (the same methods the tests use), plus two counts that
 * are answered here so a poll does not copy thousands of records across processes.
 *
 * Parent side: `spawnEmulatorProcess('d365' | 'salesforce', options)`. Test infrastructure only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Kind = 'd365' | 'salesforce';

interface Ready {
  ready: {
    url: string;
    tenantId?: string;
    clientId?: string;
    clientSecret?: string;
    loginUrl?: string;
    consumerKey?: string;
    username?: string;
    privateKeyPem?: string;
  };
}
interface Call {
  id: number;
  method: string;
  args: unknown[];
}
interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export interface EmulatorProcess {
  info: Ready['ready'];
  /** Calls `control[method](...args)` in the emulator's process. */
  control<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Salesforce: records of `object` whose `field` equals `value`. */
  countRecords(object: string, field: string, value: unknown): Promise<number>;
  /** F&O: rows of `entity` in `company` whose `field` starts with `prefix`, and how many distinct. */
  countRows(
    entity: string,
    company: string,
    field: string,
    prefix: string,
  ): Promise<{ rows: number; unique: number }>;
  /** Its CPU time so far (user + system, ms): shows whether the emulator itself was the bottleneck. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

export async function spawnEmulatorProcess(kind: Kind, options: object): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [kind, JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  const info = await new Promise<Ready['ready']>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} emulator process exited (${code})`)));
    child.once('message', (m) => resolve((m as Ready).ready));
  });
  child.on('message', (m) => {
    const a = m as Answer;
    const p = pending.get(a.id);
    if (!p) return;
    pending.delete(a.id);
    if (a.error !== undefined) p.reject(new Error(`${kind} emulator: ${a.error}`));
    else p.resolve(a.result);
  });
  const call = <T>(method: string, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args } satisfies Call);
    });
  return {
    info,
    control: (method, ...args) => call(method, args),
    countRecords: (object, field, value) => call('@countRecords', [object, field, value]),
    countRows: (entity, company, field, prefix) => call('@countRows', [entity, company, field, prefix]),
    cpuMs: () => call('@cpuMs', []),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Child side: start the emulator, answer calls until the parent goes away. */
async function host(kind: Kind, options: object): Promise<void> {
  type Control = Record<string, (...a: unknown[]) => unknown>;
  let control: Control;
  let ready: Ready['ready'];
  let close: () => Promise<void>;
  if (kind === 'd365') {
    const { startD365Emulator } = await import('../emulators/d365/index.js');
    const emu = await startD365Emulator(options as Parameters<typeof startD365Emulator>[0]);
    control = emu.control as unknown as Control;
    close = () => emu.close();
    ready = { url: emu.url, tenantId: emu.tenantId, clientId: emu.clientId, clientSecret: emu.clientSecret };
  } else {
    const { startSalesforceEmulator } = await import('../emulators/salesforce/index.js');
    const emu = await startSalesforceEmulator(options as Parameters<typeof startSalesforceEmulator>[0]);
    control = emu.control as unknown as Control;
    close = () => emu.close();
    ready = {
      url: emu.url,
      loginUrl: emu.loginUrl,
      consumerKey: emu.consumerKey,
      username: emu.username,
      privateKeyPem: emu.privateKeyPem,
    };
  }
  const local: Record<string, (...a: unknown[]) => unknown> = {
    '@countRecords': (object, field, value) =>
      (control.records!(object) as Array<Record<string, unknown>>).filter((r) => r[field as string] === value)
        .length,
    '@countRows': (entity, company, field, prefix) => {
      const rows = (control.rows!(entity, { company }) as Array<Record<string, unknown>>).filter((r) =>
        String(r[field as string]).startsWith(String(prefix)),
      );
      return { rows: rows.length, unique: new Set(rows.map((r) => r[field as string])).size };
    },
    '@cpuMs': () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
  };
  process.on('message', (m) => {
    const { id, method, args } = m as Call;
    void (async () => {
      try {
        const fn = local[method] ?? control[method];
        if (!fn) throw new Error(`no control method ${method}`);
        const result = await fn.apply(local[method] ? local : control, args);
        process.send!({ id, result } satisfies Answer);
      } catch (err) {
        process.send!({ id, error: err instanceof Error ? err.message : String(err) } satisfies Answer);
      }
    })();
  });
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send!({ ready } satisfies Ready);
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  await host(process.argv[2] as Kind, JSON.parse(process.argv[3] ?? '{}') as object);
}
