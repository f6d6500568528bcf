/**
 * The control API: an in-process typed object; control-routes.ts exposes every method over HTTP
 * under /_emulator/… for child processes, the sandbox and benchmarks.
 */
import type { DeliveryRecord } from './business-events.js';
import type { Counters } from './counters.js';
import {
  postForeignPayment,
  setCustomerStanding,
  settleCreditNote,
  type ForeignPaymentInput,
  type SetStandingInput,
  type SettleCreditNoteInput,
} from './customer-standing.js';
import { emptyCounters } from './counters.js';
import type { DmfExecutionInfo } from './dmf.js';
import type { ExportProjectInput } from './export-package.js';
import { entityBySet } from './entities/index.js';
import { computeOnHand } from './entities/products.js';
import type { Row } from './entities/schema.js';
import type { EntityDef } from './entities/types.js';
import { ODataError } from './odata/errors.js';
import { coerceBody } from './odata/write.js';
import type { FaultConfig, LatencyConfig, SeedOption, ThrottlingConfig } from './options.js';
import {
  postInvoice,
  postPayment,
  type PostedInvoice,
  type PostedPayment,
  type PostInvoiceInput,
  type PostPaymentInput,
} from './posting.js';
import { seedStore, type SeedSummary } from './seed.js';
import { applyFaults, emptyFaults, type EmulatorState, type PendingFaults } from './state.js';
import { capacity, type CapacityClass } from './throttling.js';

export interface RowsQuery {
  /** Only this company (default: all companies). */
  company?: string;
}

export interface SetOnHandInput {
  company?: string;
  itemNumber: string;
  siteId: string;
  warehouseId: string;
  onHand: number;
  reserved?: number;
  ordered?: number;
  onOrder?: number;
}

export interface EmulatorInfo {
  url: string;
  httpsUrl: string | undefined;
  tenantId: string;
  defaultCompany: string;
  timeScale: number;
  pageSize: number;
  entities: string[];
  throttling: ThrottlingConfig;
  latency: LatencyConfig;
}

export interface D365Control {
  /** Clears everything and seeds again ('demo' by default). Counters, faults and endpoints are cleared too. */
  reset(seed?: SeedOption): SeedSummary;
  /** Re-seeds the data only (keeps counters, throttling and endpoints). */
  seed(seed?: SeedOption): SeedSummary;
  info(): EmulatorInfo;
  rows(entity: string, query?: RowsQuery): Row[];
  row(entity: string, key: Row): Row | undefined;
  /** Upserts rows without business validation (fields are type-checked; missing fields get defaults). */
  putRows(entity: string, rows: Row[]): Row[];
  deleteRow(entity: string, key: Row): boolean;
  setOnHand(input: SetOnHandInput): Row;
  postInvoice(input: PostInvoiceInput): PostedInvoice;
  postPayment(input: PostPaymentInput): PostedPayment;
  /** Payment status flow: hold and credit limit, a payment in another currency, a credit note settled. */
  setCustomerStanding(input: SetStandingInput): Row;
  postForeignPayment(input: ForeignPaymentInput): PostedPayment;
  settleCreditNote(input: SettleCreditNoteInput): { company: string; voucher: string; amount: number };
  setThrottling(config: Partial<ThrottlingConfig>): ThrottlingConfig;
  setLatency(config: Partial<LatencyConfig>): LatencyConfig;
  /** Arms faults (replacing those of the same kind); returns what is still pending. */
  faults(config?: FaultConfig): PendingFaults;
  clearFaults(): void;
  registerBusinessEventEndpoint(url: string): Promise<DeliveryRecord>;
  unregisterBusinessEventEndpoint(url: string): void;
  businessEvents(): DeliveryRecord[];
  flushBusinessEvents(): Promise<void>;
  /** Drop business events (true) or send them again (false). */
  dropBusinessEvents(dropped: boolean): void;
  /** Adds an Entra app registration (client id + secret) the token endpoint accepts. */
  registerClient(clientId: string, secret: string): void;
  counters(): Counters;
  resetCounters(): void;
  /** Requests/second (operations/second for 'batchOperation') the configured model sustains; see docs. */
  capacity(cls?: CapacityClass): number;
  dmfExecutions(): DmfExecutionInfo[];
  /** Defines an export data project (as an admin does in Data management) for ExportToPackage. */
  defineExportProject(name: string, entities: readonly ExportProjectInput[]): void;
}

export function publicRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('__')) out[k] = v;
  return out;
}

function asControlError<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw new ControlError(400, err instanceof Error ? err.message : String(err));
  }
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function def(entity: string): EntityDef {
  const d = entityBySet(entity);
  if (!d) throw new ControlError(404, `unknown entity set '${entity}'`);
  return d;
}

export function createControl(state: EmulatorState, onReset: () => void): D365Control {
  const withCompany = (d: EntityDef, row: Row): Row =>
    d.companyScoped ? { ...row, dataAreaId: String(row.dataAreaId ?? state.company).toLowerCase() } : row;

  const control: D365Control = {
    reset(seed = 'demo') {
      const summary = seedStore(state.store, seed);
      Object.assign(state.counters, emptyCounters(), {
        inFlight: state.counters.inFlight,
        queued: state.counters.queued,
      });
      state.faults = emptyFaults();
      state.events.reset();
      state.dmf.reset();
      onReset();
      return summary;
    },
    seed(seed = 'demo') {
      return seedStore(state.store, seed);
    },
    info() {
      return {
        url: state.urls.http,
        httpsUrl: state.urls.https,
        tenantId: state.tokens.tenantId,
        defaultCompany: state.company,
        timeScale: state.timeScale,
        pageSize: state.pageSize,
        entities: [...state.store.tables.keys()],
        throttling: { ...state.throttler.config },
        latency: { ...state.latency },
      };
    },
    rows(entity, query = {}) {
      const d = def(entity);
      const company = query.company?.toLowerCase();
      return [...state.store.table(d.set).rows.values()]
        .filter((r) => !company || !d.companyScoped || r.dataAreaId === company)
        .map(publicRow);
    },
    row(entity, key) {
      const d = def(entity);
      const row = state.store.table(d.set).get(withCompany(d, key));
      return row ? publicRow(row) : undefined;
    },
    putRows(entity, rows) {
      const d = def(entity);
      return state.store.transaction(() =>
        rows.map((input) => {
          const hidden = Object.fromEntries(Object.entries(input).filter(([k]) => k.startsWith('__')));
          let typed: Row;
          try {
            typed = coerceBody(
              d,
              Object.fromEntries(Object.entries(input).filter(([k]) => !k.startsWith('__'))),
            );
          } catch (err) {
            throw new ControlError(400, err instanceof ODataError ? err.message : String(err));
          }
          const values = withCompany(d, typed);
          const existing = state.store.table(d.set).get(state.store.materialise(d, values));
          const row = { ...(existing ?? state.store.materialise(d, {})), ...values, ...hidden };
          return publicRow(state.store.put(d.set, row));
        }),
      );
    },
    deleteRow(entity, key) {
      const d = def(entity);
      return state.store.delete(d.set, state.store.materialise(d, withCompany(d, key))) !== undefined;
    },
    setOnHand(input) {
      const company = (input.company ?? state.company).toLowerCase();
      const d = def('WarehousesOnHandV2');
      const key = {
        dataAreaId: company,
        ItemNumber: input.itemNumber,
        InventorySiteId: input.siteId,
        InventoryWarehouseId: input.warehouseId,
      };
      const existing = state.store.table(d.set).get(state.store.materialise(d, key));
      const product = state.store
        .table('ReleasedProductsV2')
        .where('ItemNumber', input.itemNumber)
        .find((p) => p.dataAreaId === company);
      const row = computeOnHand({
        ...(existing ?? state.store.materialise(d, key)),
        ...key,
        ProductName: product?.SearchName ?? existing?.ProductName ?? '',
        OnHandQuantity: input.onHand,
        ReservedOnHandQuantity: input.reserved ?? existing?.ReservedOnHandQuantity ?? 0,
        OrderedQuantity: input.ordered ?? existing?.OrderedQuantity ?? 0,
        OnOrderQuantity: input.onOrder ?? existing?.OnOrderQuantity ?? 0,
      });
      return publicRow(state.store.put(d.set, row));
    },
    postInvoice(input) {
      let invoice: PostedInvoice;
      try {
        invoice = postInvoice(state.store, input, state.company, new Date());
      } catch (err) {
        throw new ControlError(400, err instanceof Error ? err.message : String(err));
      }
      state.events.salesInvoicePosted(invoice, new Date());
      return invoice;
    },
    postPayment(input) {
      try {
        return postPayment(state.store, input, state.company, new Date());
      } catch (err) {
        throw new ControlError(400, err instanceof Error ? err.message : String(err));
      }
    },
    setCustomerStanding(input) {
      return publicRow(asControlError(() => setCustomerStanding(state.store, input, state.company)));
    },
    postForeignPayment(input) {
      return asControlError(() => postForeignPayment(state.store, input, state.company, new Date()));
    },
    settleCreditNote(input) {
      return asControlError(() => settleCreditNote(state.store, input, state.company, new Date()));
    },
    setThrottling(config) {
      const next = { ...state.throttler.config, ...config };
      state.throttler.configure(next);
      return { ...next };
    },
    setLatency(config) {
      Object.assign(state.latency, config);
      return { ...state.latency };
    },
    faults(config) {
      if (config) state.faults = applyFaults(state.faults, config);
      return structuredClone(state.faults);
    },
    clearFaults() {
      state.faults = emptyFaults();
    },
    registerBusinessEventEndpoint: (url) => state.events.register(url),
    unregisterBusinessEventEndpoint: (url) => state.events.unregister(url),
    businessEvents: () => state.events.log.map((r) => ({ ...r })),
    flushBusinessEvents: () => state.events.flush(),
    dropBusinessEvents: (dropped) => {
      state.events.dropped = dropped;
    },
    registerClient(clientId, secret) {
      state.tokens.registerClient(clientId, secret);
    },
    counters: () => structuredClone(state.counters),
    resetCounters() {
      Object.assign(state.counters, emptyCounters(), {
        inFlight: state.counters.inFlight,
        queued: state.counters.queued,
        peakConcurrency: state.counters.inFlight,
      });
    },
    capacity: (cls = 'write') => capacity(state.throttler.config, state.latency, state.timeScale, cls),
    dmfExecutions: () => state.dmf.executions(),
    defineExportProject: (name, entities) =>
      asControlError(() => state.dmf.defineExportProject(name, entities)),
  };
  return control;
}
