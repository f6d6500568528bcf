import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BulkJobs } from './bulk/jobs.js';
import { BulkQueryJobs } from './bulk/query-jobs.js';
import { createControl, type SalesforceEmulatorControl } from './control.js';
import {
  CONSUMER_KEY,
  INTEGRATION_USERNAME,
  resolveOptions,
  type SalesforceEmulatorOptions,
} from './options.js';
import { buildServer } from './server.js';
import { EmulatorState } from './state.js';

export type { SalesforceEmulatorOptions } from './options.js';
export type { SalesforceEmulatorControl, EmulatorCounters } from './control.js';
export type { FaultSpec } from './faults.js';

export interface SalesforceEmulator {
  /** Base URL (also the instance URL in token responses). */
  url: string;
  /** Same as `url`: the JWT `aud` and token endpoint host. */
  loginUrl: string;
  consumerKey: string;
  username: string;
  apiVersion: string;
  namespace: string;
  /** Set when no `certificatePem` was given: sign JWT assertions with it. */
  privateKeyPem?: string;
  control: SalesforceEmulatorControl;
  close(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Starts the Salesforce emulator on a port (0 = any free one) and returns its handle. */
export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const resolved = resolveOptions(options, resolve(REPO_ROOT, 'force-app'));
  const state = new EmulatorState(resolved, options.certificatePem);
  state.bulk = new BulkJobs(state.store, state.ids, {
    apiVersion: resolved.apiVersion,
    rowsPerSecond: resolved.bulkRowsPerSecond,
    queueDelayMs: resolved.bulkQueueDelayMs,
    userId: () => state.integrationUserId,
  });
  state.bulkQuery = new BulkQueryJobs(state.store, state.ids, {
    apiVersion: resolved.apiVersion,
    queueDelayMs: resolved.bulkQueueDelayMs,
    userId: () => state.integrationUserId,
  });
  const control = createControl(state);
  const app = buildServer(state, control);
  await app.listen({ port: resolved.port, host: resolved.host });
  const { port } = app.server.address() as AddressInfo;
  const host = resolved.host === '0.0.0.0' || resolved.host === '::' ? '127.0.0.1' : resolved.host;
  state.url = `http://${host}:${port}`;
  return {
    url: state.url,
    loginUrl: state.url,
    consumerKey: CONSUMER_KEY,
    username: INTEGRATION_USERNAME,
    apiVersion: resolved.apiVersion,
    namespace: resolved.namespace,
    ...(state.privateKeyPem ? { privateKeyPem: state.privateKeyPem } : {}),
    control,
    close: async () => {
      state.bulk.clear();
      state.bulkQuery.clear();
      await app.close();
    },
  };
}
