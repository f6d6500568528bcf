/**
 * `npm run chaos [-- --quick]`: the fault matrix. Starts the emulators (one child process), a
 * built proxy (`node <dist>/main.js`) on a SQLite store, and for each fault: sends a fresh mixed
 * workload, injects the fault, waits until every accepted record is settled, checks it, and
 * prints one row. Writes test/bench/results/chaos.json. Exit code 0 when every row passed.
 *
 * `--quick` (CI): fewer records per row and compressed outages. `--only <substring>` runs the
 * rows whose fault name contains it; `--write-docs` puts the table into docs/reliability.md and
 * the README. See docs/reliability.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtProxy } from '../support/built-proxy.js';
import { startBalancer } from './balancer.js';
import { invoiceCheck, requestsInsidePauses, settle, type InvoiceCheck, type Settlement } from './checks.js';
import { MULTI_REPLICA_FAULTS, SINGLE_REPLICA_FAULTS, type Fault, type FaultContext } from './faults.js';
import { postgresAvailable, startCluster } from './postgres.js';
import { markdownTable, writeBetweenMarkers } from './tables.js';
import { EVENT_KEY, proxyEnv, ROOT, startProxy, startWorld, type Proxy, type World } from './processes.js';
import { makeWorkload, postInvoices, seedSalesforce, sendWorkload } from './workload.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const RECORDS = quick ? 150 : 1000;
const WORKLOAD_MS = quick ? 4_000 : 30_000;
const SETTLE_TIMEOUT_MS = quick ? 60_000 : 240_000;
/** Invoices F&O posts during each row (their business events go to the proxies). */
const INVOICES = Math.max(4, Math.round(RECORDS / 20));

interface RowResult extends Settlement {
  fault: string;
  setup: string;
  passed: boolean;
  recoveryS: number;
  foRequestsPerRecord: number;
  requestsInsidePause: number;
  pausesHandedOut: number;
  resentCalls: number;
  inventoryReads: number;
  inventoryFailures: number;
  /** On-hand reads F&O served for those inventory reads (each replica caches and single-flights on its own). */
  inventoryFoReads: number;
  /** The invoices F&O posted during the row and how many are one `Invoice__c` each. */
  invoices: InvoiceCheck;
  /** Seconds from the end of the fault until the records (and the invoices) were settled; -1 never. */
  recordsSettledS: number;
  invoicesSettledS: number;
  problems: string[];
  notes: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** F&O requests so far: all, and the on-hand reads behind inventory. */
async function foRequests(world: World): Promise<{ total: number; onHand: number }> {
  const c = (await (await fetch(`${world.d365.url}/_emulator/counters`)).json()) as {
    requests: { total: number; byEntity: Record<string, number> };
  };
  return { total: c.requests.total, onHand: c.requests.byEntity.WarehousesOnHandV2 ?? 0 };
}

async function runRow(
  n: number,
  fault: Fault,
  world: World,
  setup: string,
  proxies: Proxy[],
  restart: FaultContext['restart'],
  ctxExtra: Partial<FaultContext>,
): Promise<RowResult> {
  const items = makeWorkload(n, RECORDS);
  await seedSalesforce(world, items);
  const startedAt = Date.now();
  const requestsBefore = await foRequests(world);
  const ctx: FaultContext = {
    world,
    proxies: () => proxies,
    restart,
    quick,
    workloadMs: WORKLOAD_MS,
    ...ctxExtra,
  };
  const stopSupervising = supervise(proxies, restart);
  let faultOverAt = 0;
  const faultDone = fault.during(ctx).then(() => (faultOverAt = Date.now()));
  const [stats, posted] = await Promise.all([
    sendWorkload(items, () => proxies, {
      batch: 10,
      concurrency: 4,
      seconds: WORKLOAD_MS / 1000,
      deadlineMs: Date.now() + SETTLE_TIMEOUT_MS,
    }),
    postInvoices(world, INVOICES, WORKLOAD_MS / 1000, Date.now() + SETTLE_TIMEOUT_MS),
  ]);
  await faultDone;
  let s: Settlement;
  let inv: InvoiceCheck;
  // A row that waits by design is given a moment to show what is not waiting (quick: 5 s).
  const until = Date.now() + (fault.waitsOut ? (quick ? 5_000 : 15_000) : SETTLE_TIMEOUT_MS);
  // When the records and when the invoices were all settled (which of them the recovery waited for).
  let recordsAt = 0;
  let invoicesAt = 0;
  for (;;) {
    s = await settle(world, items, proxies);
    inv = await invoiceCheck(world, posted);
    if (!recordsAt && s.settled === s.records) recordsAt = Date.now();
    if (!invoicesAt && inv.missing === 0) invoicesAt = Date.now();
    if ((recordsAt && invoicesAt) || Date.now() > until) break;
    await sleep(1000);
  }
  const settledAt = Date.now();
  const sinceFaultEnd = (t: number) =>
    t ? round(Math.max(0, t - Math.max(faultOverAt, startedAt + WORKLOAD_MS)) / 1000) : -1;
  const pauses = await requestsInsidePauses(world, startedAt);
  const requestsAfter = await foRequests(world);
  const requests = requestsAfter.total - requestsBefore.total;
  const problems: string[] = [];
  const notes: string[] = [];
  if (s.lost) problems.push(`${s.lost} lost`);
  if (s.duplicates) problems.push(`${s.duplicates} duplicated`);
  const waiting = s.records - s.settled;
  const waitingByDesign = fault.waitsOut && s.inFoOnce === s.records && !s.lost && !s.duplicates;
  if (waiting && waitingByDesign) notes.push(`${waiting} ${fault.waitsOut}`);
  else if (waiting) problems.push(`${waiting} not settled in ${SETTLE_TIMEOUT_MS / 1000} s`);
  if (inv.duplicates) problems.push(`${inv.duplicates} invoices written more than once`);
  if (inv.missing && fault.waitsOut) notes.push(`${inv.missing} invoices wait with them`);
  else if (inv.missing)
    problems.push(`${inv.missing} invoices not in Salesforce in ${SETTLE_TIMEOUT_MS / 1000} s`);
  if (s.deadLettersWithoutReason)
    problems.push(`${s.deadLettersWithoutReason} dead letters without a reason`);
  if (pauses.violations)
    problems.push(
      `${pauses.violations} F&O requests inside a Retry-After pause, ${Math.min(...pauses.lateByMs)}–${Math.max(...pauses.lateByMs)} ms after the 429`,
    );
  const exits = stopSupervising();
  problems.push(...exits);
  while (restartBusy.get(restart)?.size) await sleep(100); // a supervised restart still under way
  for (const [i, p] of proxies.entries())
    if (!p.alive()) {
      problems.push(p.exitReason());
      await restart(i);
    }
  return {
    fault: fault.name,
    setup,
    ...s,
    invoices: inv,
    recordsSettledS: sinceFaultEnd(recordsAt),
    invoicesSettledS: sinceFaultEnd(invoicesAt),
    passed: problems.length === 0,
    recoveryS:
      waiting || inv.missing
        ? -1
        : round(Math.max(0, settledAt - Math.max(faultOverAt, startedAt + WORKLOAD_MS)) / 1000),
    foRequestsPerRecord: round(requests / s.records, 2),
    requestsInsidePause: pauses.violations,
    pausesHandedOut: pauses.pauses,
    resentCalls: stats.resent,
    inventoryReads: stats.inventoryReads,
    inventoryFailures: stats.inventoryFailures,
    inventoryFoReads: requestsAfter.onHand - requestsBefore.onHand,
    problems,
    notes,
  };
}

/** A row whose run itself failed (the workload could not be delivered, a check could not read). */
function failedRow(fault: string, setup: string, err: unknown): RowResult {
  return {
    fault,
    setup,
    records: RECORDS,
    inFoOnce: 0,
    writtenBack: 0,
    deadLetters: 0,
    deadLettersWithoutReason: 0,
    duplicates: 0,
    lost: 0,
    settled: 0,
    deadLetterCodes: {},
    passed: false,
    recoveryS: -1,
    foRequestsPerRecord: 0,
    requestsInsidePause: 0,
    pausesHandedOut: 0,
    resentCalls: 0,
    inventoryReads: 0,
    inventoryFailures: 0,
    inventoryFoReads: 0,
    invoices: { posted: 0, once: 0, duplicates: 0, missing: 0 },
    recordsSettledS: -1,
    invoicesSettledS: -1,
    problems: [`the row did not complete: ${(err as Error).message ?? String(err)}`],
    notes: [],
  };
}

function printRow(r: RowResult): void {
  const cells = [
    r.passed ? 'PASS' : 'FAIL',
    r.fault.padEnd(44),
    String(r.records).padStart(7),
    String(r.inFoOnce).padStart(7),
    String(r.writtenBack).padStart(7),
    String(r.deadLetters).padStart(5),
    String(r.duplicates).padStart(5),
    String(r.lost).padStart(5),
    String(r.recoveryS).padStart(8),
    String(r.foRequestsPerRecord).padStart(7),
    `${r.invoices.once}/${r.invoices.posted}`.padStart(7),
  ];
  const codes = Object.entries(r.deadLetterCodes).map(([c, k]) => `${k} dead: ${c}`);
  const said = [...r.problems, ...r.notes, ...codes];
  console.log(`${cells.join(' ')}${said.length ? `  (${said.join('; ')})` : ''}`);
}

const HEADER = `     ${'fault'.padEnd(44)} ${'records'.padStart(7)} ${'F&O x1'.padStart(7)} ${'written'.padStart(7)} ${'dead'.padStart(5)} ${'dup'.padStart(5)} ${'lost'.padStart(5)} ${'recov s'.padStart(8)} ${'req/rec'.padStart(7)} ${'invoice'.padStart(7)}`;

/** Kills replica `i` (its process group) and starts it again on the same port and store. */
function restarter(dist: string, proxies: Proxy[], env: Record<string, string>): FaultContext['restart'] {
  const busy = new Set<number>();
  const restart: FaultContext['restart'] = async (i, opts = {}) => {
    busy.add(i);
    try {
      const port = Number(new URL(proxies[i]!.url).port);
      await proxies[i]!.kill();
      await sleep(opts.downMs ?? 0);
      proxies[i] = await startProxy(dist, `r${i + 1}`, { ...env, ...opts.env }, port);
    } finally {
      busy.delete(i);
    }
  };
  restartBusy.set(restart, busy);
  return restart;
}
const restartBusy = new WeakMap<FaultContext['restart'], Set<number>>();

/**
 * Plays the orchestrator: a replica that exits on its own (not killed by a fault) is noted and
 * started again within half a second. Returns a stop function giving the exits it saw.
 */
function supervise(proxies: Proxy[], restart: FaultContext['restart']): () => string[] {
  const exits: string[] = [];
  const busy = restartBusy.get(restart) ?? new Set<number>();
  const timer = setInterval(() => {
    proxies.forEach((p, i) => {
      if (p.alive() || busy.has(i)) return;
      exits.push(p.exitReason());
      void restart(i).catch((err: unknown) => exits.push(`r${i + 1} did not start again: ${String(err)}`));
    });
  }, 500);
  return () => {
    clearInterval(timer);
    return exits;
  };
}

/** A tmpfs of `mb` MiB on `dir` (root only); false when mounting is not possible here. */
function mountTmpfs(dir: string, mb: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface SweepCheck {
  /** Sweep jobs the scheduler enqueued (one per slot it fired; the store keeps one row per slot). */
  jobs: number;
  /** 5-second slots in the time the three replicas ran: jobs may not exceed this. */
  slotsElapsed: number;
  /** Sweep jobs started more than once (a lease expired under a paused replica, or a retry). */
  startedMoreThanOnce: number;
}

/** The scheduler's work as the store recorded it. */
function sweepSlotCheck(pg: { sql(s: string): string }, startedAt: number): SweepCheck {
  const [jobs, twice] = pg
    .sql(
      `SELECT count(*) || '|' || count(*) FILTER (WHERE attempts > 1) FROM jobs WHERE key = 'schedule:sync-sweep'`,
    )
    .trim()
    .split('|')
    .map(Number);
  return {
    jobs: jobs!,
    slotsElapsed: Math.ceil((Date.now() - startedAt) / 5000) + 1,
    startedMoreThanOnce: twice!,
  };
}

/**
 * The demo mapping with customer numbers from `start`: the PostgreSQL section's new store would
 * otherwise number again from 1 and pay one F&O look-up per number the SQLite section already
 * took (docs/reliability.md, "A new store against an F&O that already holds the proxy's numbers").
 */
function numberedFrom(dir: string, start: number): string {
  const cfg = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/bridge.demo.json'), 'utf8')) as {
    customerNumbering: { start: number };
  };
  cfg.customerNumbering.start = start;
  const file = join(dir, 'bridge.postgres.json');
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

/** Subscribes the endpoint to F&O's business events (F&O sends its test message first). */
async function registerEventEndpoint(world: World, url: string): Promise<void> {
  const res = await fetch(`${world.d365.url}/_emulator/business-events/endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  const delivery = (await res.json()) as { delivered?: boolean };
  if (!res.ok || !delivery.delivered)
    throw new Error(`the business-event endpoint did not answer: ${res.status}`);
}

async function main(): Promise<number> {
  const began = Date.now();
  // The machine's 1-minute load average, sampled every 10 s: timings mean little without it.
  const loads: number[] = [loadavg()[0]!];
  const sampler = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  const dist = await builtProxy();
  const world = await startWorld(0.05);
  // F&O's business-event endpoint: one URL, a balancer over the replicas of the section running.
  let current: Proxy[] = [];
  const balancer = await startBalancer(() => current);
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-chaos-'));
  const results: RowResult[] = [];
  const only = values.only;
  let sweepSlots: SweepCheck | undefined;
  const runRows = async (
    title: string,
    faults: Fault[],
    setup: string,
    ctxExtra: Partial<FaultContext>,
    proxies: Proxy[],
    restart: FaultContext['restart'],
  ) => {
    console.log(`\n${title} (${RECORDS} records per row)\n${HEADER}`);
    for (const fault of faults) {
      n++;
      if (only && !fault.name.includes(only)) continue;
      const r = await runRow(n, fault, world, setup, proxies, restart, ctxExtra).catch(
        (err: unknown): RowResult => failedRow(fault.name, setup, err),
      );
      results.push(r);
      printRow(r);
    }
  };
  let n = 0;
  try {
    // ── one replica on SQLite, its store on a small tmpfs (the disk-full row fills it) ─────
    const storeDir = join(dir, 'store');
    mkdirSync(storeDir);
    const tmpfs = mountTmpfs(storeDir, 64);
    if (!tmpfs)
      console.log('(no tmpfs: the disk-full row fills the file system of the temp folder instead; skipped)');
    const env = proxyEnv(world, `sqlite:${join(storeDir, 'bridge.db')}`);
    const single: Proxy[] = [await startProxy(dist, 'r1', env)];
    current = single;
    await registerEventEndpoint(world, `${balancer.url}/v1/events/d365/${EVENT_KEY}`);
    try {
      for (const f of SINGLE_REPLICA_FAULTS.filter((f) => quick && f.fullOnly))
        console.log(`(full run only: ${f.name} — ${f.fullOnly})`);
      await runRows(
        'One replica, SQLite',
        SINGLE_REPLICA_FAULTS.filter(
          (f) => (tmpfs || !f.name.startsWith('disk full')) && (!quick || !f.fullOnly),
        ),
        'sqlite, 1 replica',
        { storeDir },
        single,
        restarter(dist, single, env),
      );
    } finally {
      for (const p of single) await p.kill();
      if (tmpfs) execFileSync('umount', [storeDir]);
    }

    // ── three replicas on one PostgreSQL of the run's own ──────────────────────────────
    if (!postgresAvailable()) console.log('\n(no PostgreSQL binaries: the three-replica rows are skipped)');
    else {
      const pg = await startCluster();
      const penv = proxyEnv(world, pg.url, {
        SYNC_SWEEP_CRON: '*/5 * * * * *',
        BRIDGE_CONFIG: numberedFrom(dir, 500_000),
      });
      const three: Proxy[] = [];
      try {
        const pgStartedAt = Date.now();
        three.push(...(await Promise.all(['r1', 'r2', 'r3'].map((name) => startProxy(dist, name, penv)))));
        current = three;
        for (const f of MULTI_REPLICA_FAULTS.filter((f) => quick && f.open))
          console.log(`(open finding, full run only: ${f.name} — ${f.open})`);
        for (const f of MULTI_REPLICA_FAULTS.filter((f) => quick && f.fullOnly))
          console.log(`(full run only: ${f.name} — ${f.fullOnly})`);
        await runRows(
          'Three replicas, one PostgreSQL',
          MULTI_REPLICA_FAULTS.filter((f) => !quick || (!f.open && !f.fullOnly)),
          'postgres, 3 replicas',
          { postgres: pg },
          three,
          restarter(dist, three, penv),
        );
        sweepSlots = sweepSlotCheck(pg, pgStartedAt);
        console.log(
          `\nscheduler: ${sweepSlots.jobs} sweep runs enqueued in ${sweepSlots.slotsElapsed} slots, ${sweepSlots.startedMoreThanOnce} started more than once`,
        );
      } finally {
        for (const p of three) await p.kill();
        pg.stop();
      }
    }
  } finally {
    await balancer.close();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const durationS = round((Date.now() - began) / 1000);
  clearInterval(sampler);
  const out = join(ROOT, 'test/bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'chaos.json'),
    `${JSON.stringify(
      {
        suite: 'chaos',
        mode: quick ? 'quick' : 'full',
        machine: {
          node: process.version,
          cpus: cpus().length,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          loadAverage: { min: round(Math.min(...loads)), max: round(Math.max(...loads)) },
        },
        ranAt: new Date().toISOString(),
        durationS,
        rows: results,
        scheduler: sweepSlots,
      },
      null,
      2,
    )}\n`,
  );
  if (values['write-docs']) {
    const load = `${round(Math.min(...loads))}–${round(Math.max(...loads))}`;
    const sections = only ? `, rows matching '${only}'` : '';
    const when = `${quick ? 'Quick' : 'Full'} run (\`npm run chaos${quick ? ' -- --quick' : ''}\`${sections}) of ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores shared with other work (load average ${load}), ${RECORDS} records and ${INVOICES} invoices per row, ${durationS} s. \`recovery s\`: from the end of the fault until every record and invoice was settled; \`waits\`: held back by design (see the row).`;
    const table = markdownTable(results);
    const sched = sweepSlots
      ? `\n\nScheduler (three replicas, sweep every 5 s): ${sweepSlots.jobs} sweep runs enqueued in ${sweepSlots.slotsElapsed} slots, ${sweepSlots.startedMoreThanOnce} started more than once.`
      : '';
    writeBetweenMarkers(join(ROOT, 'docs/reliability.md'), 'chaos-table', `${when}\n\n${table}${sched}`);
    writeBetweenMarkers(join(ROOT, 'README.md'), 'chaos-summary', `${when}\n\n${table}`);
  }
  const failed =
    results.filter((r) => !r.passed).length +
    (sweepSlots && sweepSlots.jobs > sweepSlots.slotsElapsed ? 1 : 0);
  console.log(`\n${results.length - failed} passed, ${failed} failed (${durationS} s)`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
