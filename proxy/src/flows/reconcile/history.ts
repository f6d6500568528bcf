/**
 * Reports kept in the store's key-value ledger (`ledgerGet`/`ledgerPut`, namespace `reconcile`):
 * no table of their own while the store's interface is being split. A report lives in one of
 * RECONCILE_HISTORY slots (`slot:<n>`), the oldest overwritten, so the ledger never grows past
 * that; the index (`index`) lists the kept reports, newest first, with their slots.
 *
 * Runs of one proxy are serialised by the queue (one job key); an admin dry run and a scheduled
 * run finishing in the same instant could both write the index, and the later write wins (one
 * report then drops out of the index: its slot is reused by the next run).
 */
import type { Store } from '../../jobs/index.js';
import { ReconcileReport, type ReportSummary } from './report.js';

const NS = 'reconcile';
const INDEX = 'index';

interface IndexEntry extends ReportSummary {
  slot: number;
}

type Ledger = Pick<Store, 'ledgerGet' | 'ledgerPut'>;

async function index(store: Ledger): Promise<IndexEntry[]> {
  return (await store.ledgerGet<IndexEntry[]>(NS, INDEX)) ?? [];
}

/** Keeps `report`, dropping the oldest beyond `keep`. */
export async function saveReport(store: Ledger, report: ReconcileReport, keep: number): Promise<void> {
  const entries = await index(store);
  const kept = entries.slice(0, Math.max(0, keep - 1));
  const used = new Set(kept.map((e) => e.slot));
  // The slot of the oldest report dropped, or the first free one.
  let slot = 0;
  while (used.has(slot)) slot += 1;
  const { pairs: _pairs, notes: _notes, scope: _scope, requests: _requests, ...summary } = report;
  await store.ledgerPut(NS, `slot:${slot}`, report, { overwrite: true });
  await store.ledgerPut(NS, INDEX, [{ ...summary, slot }, ...kept], { overwrite: true });
}

/** The kept reports, newest first (summaries). */
export async function listReports(store: Ledger): Promise<ReportSummary[]> {
  return (await index(store)).map(({ slot: _slot, ...summary }) => summary);
}

/** One kept report, or undefined when it is not (or no longer) kept. */
export async function getReport(store: Ledger, id: string): Promise<ReconcileReport | undefined> {
  const entry = (await index(store)).find((e) => e.id === id);
  if (!entry) return undefined;
  const report = await store.ledgerGet<unknown>(NS, `slot:${entry.slot}`);
  const parsed = ReconcileReport.safeParse(report);
  return parsed.success && parsed.data.id === id ? parsed.data : undefined;
}
