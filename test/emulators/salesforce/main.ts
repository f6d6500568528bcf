import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './options.js';
import { startSalesforceEmulator } from './index.js';

/**
 * Standalone Salesforce emulator:
 *   npm run emulator:salesforce -- --port 4020 --cert connected-app.crt [--namespace fobridge]
 * Without --cert a key pair is generated; --write-key <path> saves the private key for clients.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    host: { type: 'string', default: '127.0.0.1' },
    cert: { type: 'string' },
    'write-key': { type: 'string' },
    'force-app': { type: 'string' },
    namespace: { type: 'string', default: '' },
    seed: { type: 'string', default: 'demo' },
    'daily-api-limit': { type: 'string', default: '100000' },
    'latency-ms': { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
  },
});

const emulator = await startSalesforceEmulator({
  port: Number(values.port),
  host: values.host,
  ...(values.cert ? { certificatePem: readFileSync(values.cert, 'utf8') } : {}),
  ...(values['force-app'] ? { forceAppDir: values['force-app'] } : {}),
  namespace: values.namespace,
  seed: values.seed === 'empty' ? 'empty' : 'demo',
  dailyApiLimit: Number(values['daily-api-limit']),
  latencyMs: Number(values['latency-ms']),
  logger: values.verbose,
});

if (emulator.privateKeyPem && values['write-key'])
  writeFileSync(values['write-key'], emulator.privateKeyPem, { mode: 0o600 });

const meta = emulator.control.loadedMetadata();
console.log(`Salesforce emulator listening on ${emulator.url}
  login URL (JWT aud)   ${emulator.loginUrl}
  consumer key (iss)    ${emulator.consumerKey}
  username (sub)        ${emulator.username}
  API version           v${emulator.apiVersion}
  namespace             ${emulator.namespace || '(none)'}
  certificate           ${values.cert ?? (values['write-key'] ? `generated; private key written to ${values['write-key']}` : 'generated (pass --write-key <path> to save the private key)')}
  package metadata      ${meta.objects.length} objects, ${meta.fields.length} custom fields
  daily API limit       ${values['daily-api-limit']}
  control API           ${emulator.url}/_emulator/...`);

const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
