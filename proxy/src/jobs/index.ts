/**
 * The durable jobs module: what flows and the HTTP layer import.
 *
 *   const { store, queue } = await openJobs(config, { logger, registry });
 *   queue.registerHandler('account', async (job, { signal, log, attempt }) => { … }, { payload: schema });
 *   await queue.enqueueMany(records);  // durable when it resolves
 *   queue.start();                     // … await queue.stop() on shutdown
 */
export type {
  AuditEntry,
  ClaimOptions,
  DeadLetterFilter,
  DeadLetterStore,
  EnqueueInput,
  EnqueueOutcome,
  EnqueueResult,
  Housekeeping,
  Job,
  JobErrorInfo,
  JobState,
  JobStore,
  NumberLedger,
  Page,
  PauseState,
  QueueStats,
  ReplayResult,
  ScheduleStore,
  Store,
  TokenIdLedger,
} from './types.js';
export { JOB_STATES } from './types.js';
export {
  JobsError,
  JobNotFoundError,
  JobStateConflictError,
  JobValidationError,
  NumberRangeExhaustedError,
  PayloadTooLargeError,
  PermanentJobError,
  StoreUnavailableError,
  TransientJobError,
  type JobErrorInit,
} from './errors.js';
export {
  DEFAULT_BACKOFF,
  backoffMs,
  classifyError,
  decideAfterFailure,
  decideBeforeRun,
  decideEnqueue,
  decideReplay,
  padVersion,
  type BackoffPolicy,
} from './decisions.js';
export { openStore, redactUrl, type OpenStoreOptions } from './store.js';
export {
  createJobQueue,
  isStoreUnavailable,
  type GroupHandler,
  type GroupHandlerOptions,
  type GroupOutcome,
  type HandlerOptions,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobQueue,
  type JobQueueOptions,
  type QueueStore,
} from './queue.js';
export {
  createScheduler,
  latestSlot,
  type ScheduleDefinition,
  type ScheduledPayload,
  type Scheduler,
  type SchedulerOptions,
} from './scheduler.js';
export { createGroupCommit, type GroupCommit } from './group-commit.js';
export { jobQueueSettings, openJobs, type JobQueueSettings, type JobsConfig } from './setup.js';
