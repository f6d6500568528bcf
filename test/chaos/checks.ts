/**
 * What must hold after each fault, read from the emulators' control APIs and the proxy's
 * dead-letter API (never from the proxy's own memory):
 *  - every accepted record is in F&O exactly once and written back to Salesforce, or is a dead
 *    letter with a reason; nothing is lost, nothing is duplicated;
 *  - every invoice F&O posted (its business event) is one `Invoice__c` in Salesforce;
 *  - no F&O request arrived inside a Retry-After pause F&O had handed out (on any replica).
 */
import { ADMIN, type Proxy, type World } from './processes.js';
import type { InvoiceItem, Kind, Row, WorkItem } from './workload.js';

export interface Settlement {
  records: number;
  inFoOnce: number;
  writtenBack: number;
  deadLetters: number;
  /** Dead letters without a reason (code + message): must be 0. */
  deadLettersWithoutReason: number;
  duplicates: number;
  lost: number;
  /** Settled = written back or dead-lettered. */
  settled: number;
  /** Dead letters by error code (the reason an operator sees). */
  deadLetterCodes: Record<string, number>;
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const F_AND_O: Record<Kind, { set: string; field: string; key: string }> = {
  account: { set: 'CustomersV3', field: 'OrganizationName', key: 'CustomerAccount' },
  contact: { set: 'ContactPersons', field: 'LastName', key: 'ContactPersonId' },
  order: { set: 'SalesOrderHeadersV2', field: 'CustomersOrderReference', key: 'SalesOrderNumber' },
};
const SOBJECT: Record<Kind, string> = { account: 'Account', contact: 'Contact', order: 'Opportunity' };
const WRITTEN_KEY: Partial<Record<Kind, string>> = {
  account: 'D365_Customer_Number__c',
  order: 'D365_Sales_Order_Number__c',
};

/** Dead letters of every flow, from whichever replica answers. */
export async function deadLetters(proxies: Proxy[]): Promise<Row[]> {
  for (const p of proxies.filter((x) => x.alive())) {
    try {
      const out: Row[] = [];
      for (const flow of ['account', 'contact', 'order']) {
        let cursor: string | null = null;
        do {
          const q: string = `flow=${flow}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page: { items: Row[]; nextCursor: string | null } = await json(
            `${p.url}/v1/dead-letters?${q}`,
            {
              headers: { authorization: `Bearer ${ADMIN}` },
            },
          );
          out.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
      }
      return out;
    } catch {
      // that replica is down or paused: ask the next
    }
  }
  throw new Error('no replica answered the dead-letter list');
}

export async function settle(world: World, items: WorkItem[], proxies: Proxy[]): Promise<Settlement> {
  const s: Settlement = {
    records: items.length,
    inFoOnce: 0,
    writtenBack: 0,
    deadLetters: 0,
    deadLettersWithoutReason: 0,
    duplicates: 0,
    lost: 0,
    settled: 0,
    deadLetterCodes: {},
  };
  const dead = new Map((await deadLetters(proxies)).map((d) => [String(d.key), d]));
  for (const kind of ['account', 'contact', 'order'] as const) {
    const mine = items.filter((i) => i.kind === kind);
    if (!mine.length) continue;
    const { set, field, key } = F_AND_O[kind];
    const rows = (await json<{ value: Row[] }>(`${world.d365.url}/_emulator/rows/${set}?company=usmf`)).value;
    const byMarker = new Map<string, Row[]>();
    for (const r of rows) {
      const m = String(r[field] ?? '');
      byMarker.set(m, [...(byMarker.get(m) ?? []), r]);
    }
    const sf = new Map(
      (await json<Row[]>(`${world.sf.url}/_emulator/records/${SOBJECT[kind]}`)).map((r) => [String(r.Id), r]),
    );
    for (const item of mine) {
      const inFo = byMarker.get(item.marker) ?? [];
      const back = sf.get(item.id);
      const letter = dead.get(item.id);
      if (inFo.length > 1) s.duplicates++;
      if (inFo.length === 1) s.inFoOnce++;
      const wk = WRITTEN_KEY[kind];
      const written =
        back?.D365_Sync_Status__c === 'Synced' &&
        inFo.length === 1 &&
        (!wk || String(back[wk] ?? '') === String(inFo[0]![key]));
      if (written) s.writtenBack++;
      if (letter) {
        s.deadLetters++;
        const reason = (letter.lastError ?? {}) as Row;
        if (!reason.code || !reason.message) s.deadLettersWithoutReason++;
        const code = String(reason.code ?? 'none');
        s.deadLetterCodes[code] = (s.deadLetterCodes[code] ?? 0) + 1;
      }
      if (written || letter) s.settled++;
      else if (inFo.length === 0) s.lost++;
    }
  }
  return s;
}

/** Requests F&O logged since the row began that arrived inside a pause it had handed out (50 ms grace). */
export async function requestsInsidePauses(
  world: World,
  sinceMs: number,
): Promise<{ violations: number; pauses: number; requests: number; lateByMs: number[] }> {
  const log = (
    await json<Array<{ at: number; end: number; status: number; retryAfterS?: number }>>(
      `${world.gate}/gate/log`,
    )
  ).filter((r) => r.at >= sinceMs);
  const pauses = log
    .filter((r) => r.status === 429 && r.retryAfterS && r.end)
    .map((r) => ({ from: r.end + 50, to: r.end + r.retryAfterS! * 1000 - 50 }));
  let violations = 0;
  const lateByMs: number[] = [];
  for (const r of log) {
    const inside = pauses.find((p) => r.at > p.from && r.at < p.to);
    if (!inside) continue;
    violations++;
    lateByMs.push(r.at - (inside.from - 50)); // how long after the 429 was answered
  }
  return { violations, pauses: pauses.length, requests: log.length, lateByMs };
}

export interface InvoiceCheck {
  posted: number;
  /** Exactly one `Invoice__c` with the invoice's `D365_Invoice_Id__c`. */
  once: number;
  duplicates: number;
  /** None (yet). */
  missing: number;
}

/** One `Invoice__c` per posted invoice, read from the Salesforce emulator. */
export async function invoiceCheck(world: World, posted: InvoiceItem[]): Promise<InvoiceCheck> {
  const c: InvoiceCheck = { posted: posted.length, once: 0, duplicates: 0, missing: 0 };
  if (!posted.length) return c;
  const count = new Map<string, number>();
  for (const r of await json<Row[]>(`${world.sf.url}/_emulator/records/Invoice__c`)) {
    const ext = String(r.D365_Invoice_Id__c ?? '');
    count.set(ext, (count.get(ext) ?? 0) + 1);
  }
  for (const p of posted) {
    const n = count.get(p.ext) ?? 0;
    if (n === 1) c.once++;
    else if (n > 1) c.duplicates++;
    else c.missing++;
  }
  return c;
}
