/**
 * Standalone F&O emulator: `npm run emulator:d365 -- --port 4010 --https-port 4443 [--time-scale 0.1]
 * [--seed demo|empty] [--throttling off|resource|user] [--no-https] [--log]`.
 */
import { parseArgs } from 'node:util';
import { startD365Emulator } from './index.js';
import type { ThrottlingMode } from './options.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    'https-port': { type: 'string', default: '4443' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string', default: '1' },
    seed: { type: 'string', default: 'demo' },
    throttling: { type: 'string', default: 'off' },
    'page-size': { type: 'string', default: '10000' },
    'no-https': { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
  },
});

const emulator = await startD365Emulator({
  port: Number(values.port),
  httpsPort: values['no-https'] ? false : Number(values['https-port']),
  host: values.host,
  timeScale: Number(values['time-scale']),
  seed: values.seed === 'empty' ? 'empty' : 'demo',
  pageSize: Number(values['page-size']),
  throttling: { mode: values.throttling as ThrottlingMode },
  logger: values.log,
});

const s = emulator.seedSummary;
const lines = [
  'Dynamics 365 F&O emulator',
  `  environment URL (http):  ${emulator.url}`,
  `  environment URL (https): ${emulator.httpsUrl ?? '(disabled)'}${emulator.caCertPath ? `  (CA: ${emulator.caCertPath})` : ''}`,
  `  OData:                   ${emulator.url}/data`,
  `  token endpoint:          ${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token  (scope ${emulator.url}/.default)`,
  `  tenant:                  ${emulator.tenantId}`,
  `  client id / secret:      ${emulator.clientId} / ${emulator.clientSecret}`,
  `  companies:               ${s.companies.join(', ')} (default ${emulator.defaultCompany})`,
  `  seed:                    ${s.customers} customers, ${s.contacts} contacts, ${s.products} products, ${s.priceAgreements} price agreements, ${s.onHandRows} on-hand rows, ${s.salesOrders} sales orders, ${s.invoices} invoices, ${s.openTransactions} open transactions`,
  `  control API:             ${emulator.url}/_emulator (GET for info)`,
];
console.log(lines.join('\n'));

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  emulator.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
