/** Dynamics 365 Finance & Operations emulator: public entry point for tests, sandbox and benchmarks. */
export { startD365Emulator, type D365Emulator } from './server.js';
export type { D365Control, EmulatorInfo, RowsQuery, SetOnHandInput } from './control.js';
export type { Counters } from './counters.js';
export type { DeliveryRecord } from './business-events.js';
export type { DmfExecutionInfo, DmfStatus } from './dmf.js';
export type { PostedInvoice, PostedPayment, PostInvoiceInput, PostPaymentInput } from './posting.js';
export type { SeedSummary } from './seed.js';
export type { CapacityClass } from './throttling.js';
export {
  CLIENT_ID,
  CLIENT_SECRET,
  DEFAULT_COMPANY,
  DEFAULT_LATENCY,
  DEFAULT_THROTTLING,
  TENANT_ID,
  type D365EmulatorOptions,
  type FaultConfig,
  type LatencyConfig,
  type SeedOption,
  type SeedGeneratorSpec,
  type ThrottlingConfig,
  type ThrottlingMode,
} from './options.js';
