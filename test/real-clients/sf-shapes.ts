import { z } from 'zod';

/**
 * The `--json` result shapes the Salesforce CLI documents for the commands the real-client
 * suite runs, as published with the plugins' sources (github.com/salesforcecli/plugin-auth and
 * github.com/salesforcecli/plugin-data, `schemas/<command>.json`). Objects are strict where the
 * published schema says `additionalProperties: false`, so a field the CLI would not print for a
 * real org fails here too. The installed CLI ships only the `org list limits` and
 * `sobject describe` schemas; those are read from node_modules instead (see the test).
 */

/** `org login jwt` / `org login access-token`: AuthFields (plugin-auth `org-login-*.json`). */
export const authFields = z.strictObject({
  accessToken: z.string().optional(),
  alias: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  created: z.string().optional(),
  createdOrgInstance: z.string().optional(),
  devHubUsername: z.string().optional(),
  instanceUrl: z.string().optional(),
  instanceApiVersion: z.string().optional(),
  instanceApiVersionLastRetrieved: z.string().optional(),
  isDevHub: z.boolean().optional(),
  loginUrl: z.string().optional(),
  orgId: z.string().optional(),
  privateKey: z.string().optional(),
  refreshToken: z.string().optional(),
  userId: z.string().optional(),
  username: z.string().optional(),
  expirationDate: z.string().optional(),
  tracksSource: z.boolean().optional(),
  name: z.string().optional(),
  instanceName: z.string().optional(),
  namespacePrefix: z.string().nullable().optional(),
  isSandbox: z.boolean().optional(),
  isScratch: z.boolean().optional(),
  trailExpirationDate: z.string().nullable().optional(),
  // Printed by @salesforce/core 8 for every org; newer than the published schema file.
  orgEdition: z.string().optional(),
});

const record = z.looseObject({
  attributes: z.looseObject({ type: z.string(), url: z.string() }),
});

/** `data query`: DataQueryResult (plugin-data `data-query.json`). */
export const dataQueryResult = z.strictObject({
  records: z.array(record),
  totalSize: z.number(),
  done: z.boolean(),
  outputFile: z.string().optional(),
});

/** `data create record`: a successful SaveResult (plugin-data `data-create-record.json`). */
export const saveResult = z.strictObject({
  success: z.literal(true),
  id: z.string(),
  errors: z.array(z.never()),
});

/** `data export bulk` (plugin-data `data-export-bulk.json`). */
export const dataExportBulkResult = z.strictObject({
  jobId: z.string().optional(),
  totalSize: z.number().optional(),
  filePath: z.string(),
});

/**
 * `data upsert bulk`: `{ jobInfo, records }`, jobInfo being the org's Bulk API 2.0 job info as
 * "Get Information About a Job" documents it (the CLI passes it through unchanged).
 */
export const bulkUpsertResult = z.strictObject({
  jobInfo: z.looseObject({
    id: z.string().regex(/^750/),
    operation: z.literal('upsert'),
    object: z.string(),
    createdById: z.string(),
    createdDate: z.string(),
    systemModstamp: z.string(),
    state: z.enum(['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Aborted', 'Failed']),
    externalIdFieldName: z.string(),
    concurrencyMode: z.string(),
    contentType: z.literal('CSV'),
    apiVersion: z.number(),
    jobType: z.literal('V2Ingest'),
    lineEnding: z.enum(['LF', 'CRLF']),
    columnDelimiter: z.string(),
    numberRecordsProcessed: z.number(),
    numberRecordsFailed: z.number(),
    retries: z.number(),
    totalProcessingTime: z.number(),
    apiActiveProcessingTime: z.number(),
    apexProcessingTime: z.number(),
  }),
  records: z.strictObject({
    successfulResults: z.array(z.looseObject({ sf__Id: z.string(), sf__Created: z.string() })),
    failedResults: z.array(z.looseObject({ sf__Id: z.string(), sf__Error: z.string() })),
    unprocessedRecords: z.array(z.record(z.string(), z.string())),
  }),
});
