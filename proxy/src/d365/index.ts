/** The F&O client: the only code in the proxy that talks to Dynamics 365 Finance & Operations. */
export { createD365Client } from './client.js';
export type { D365Client, D365ClientOptions, D365Logger, D365TokenApi } from './client.js';
export { d365OptionsFromConfig, d365Settings } from './options-from-config.js';
export * from './errors.js';
export { retryAfterMs } from './retry-after.js';
export { createOnce } from './create-once.js';
export type { CreateOnceOptions, CreateOnceResult } from './create-once.js';
export { Governor } from './governor/governor.js';
export type { GovernorOptions, GovernorStatus, Slot, SlotOutcome } from './governor/governor.js';
export { LANES } from './governor/lanes.js';
export type { Lane } from './governor/lanes.js';
export { InMemorySharedPause } from './governor/shared-pause.js';
export type { SharedPauseState } from './governor/shared-pause.js';
export { ODataClient } from './odata/odata-client.js';
export type { CallOptions, Page, QueryOptions, QueryResult, Row } from './odata/odata-client.js';
export { odataLiteral, entityKey, enumValue, encodeUrlText } from './odata/literal.js';
export type { EntityKey, EnumValue, ODataValue } from './odata/literal.js';
export { eq, ne, gt, ge, lt, le, and, or, not, anyOf } from './odata/filter.js';
export type { Filter } from './odata/filter.js';
export { BatchClient } from './batch/batch-client.js';
export type { BatchItemResult, OperationResult } from './batch/batch-client.js';
export type { BatchItem, BatchOperation, Changeset } from './batch/build.js';
export { PackageClient } from './dmf/package-client.js';
export type {
  ImportPackageOptions,
  ImportPackageResult,
  ExportPackageOptions,
  ExportPackageResult,
  ExecutionStatus,
} from './dmf/package-client.js';
export { buildPackage } from './dmf/package-builder.js';
export { ExportedPackage } from './dmf/package-reader.js';
export { BulkWriter } from './bulk-write.js';
export type { BulkWriteOptions, BulkWriteResult } from './bulk-write.js';
export type { D365Readiness } from './readiness.js';
export { normaliseD365Url, audienceCheck } from './token/audience.js';
