/**
 * Configuration checks: the settings that parse one by one (config.ts refuses those that don't)
 * but do not make a working proxy together — half an F&O connection, no way for Salesforce to
 * authenticate, production with test-only settings.
 */
import type { Config, ConfigError } from '../../config.js';
import { checks, type CheckResult } from './report.js';

const c = checks('configuration');

/** Each problem of a configuration that did not load, as a failed check. */
export function configErrorChecks(err: ConfigError): CheckResult[] {
  return err.problems.map((p) =>
    c.fail(
      `variable.${p.variable}`,
      `${p.variable}: ${p.message}`,
      `fix ${p.variable} (docs/configuration.md)`,
    ),
  );
}

/** Which of `names` are set and which are not. */
function presence(config: Config, names: readonly (keyof Config)[]) {
  const set = names.filter((n) => config[n] !== undefined && config[n] !== '');
  return { set, missing: names.filter((n) => !set.includes(n)) };
}

function allOrNone(id: string, what: string, config: Config, names: (keyof Config)[]): CheckResult {
  const { set, missing } = presence(config, names);
  if (missing.length === 0) return c.pass(id, `${what}: ${names.join(', ')} set`);
  if (set.length === 0)
    return c.fail(id, `${what} is not configured`, `set ${names.join(', ')} (docs/configuration.md)`);
  return c.fail(
    id,
    `${what} is half configured: ${missing.join(', ')} missing (${set.join(', ')} set)`,
    `set ${missing.join(', ')}, or unset ${set.join(', ')}`,
  );
}

export function configurationChecks(config: Config): CheckResult[] {
  const out: CheckResult[] = [];
  const fnoCredential: (keyof Config)[] = config.D365_CLIENT_CERT_PATH
    ? ['D365_CLIENT_CERT_PATH', 'D365_CLIENT_CERT_THUMBPRINT']
    : config.D365_CLIENT_CERT_THUMBPRINT
      ? ['D365_CLIENT_CERT_THUMBPRINT', 'D365_CLIENT_CERT_PATH']
      : ['D365_CLIENT_SECRET'];
  out.push(
    allOrNone('fno', 'F&O connection', config, [
      'D365_URL',
      'D365_TENANT_ID',
      'D365_CLIENT_ID',
      ...fnoCredential,
    ]),
  );
  out.push(
    allOrNone('salesforce', 'Salesforce connection', config, [
      'SF_CLIENT_ID',
      'SF_USERNAME',
      'SF_PRIVATE_KEY',
    ]),
  );
  out.push(
    config.BRIDGE_CONFIG
      ? c.pass('mapping', `mapping file ${config.BRIDGE_CONFIG} loaded`)
      : c.fail(
          'mapping',
          'BRIDGE_CONFIG is not set: Accounts, Contacts and orders are dead-lettered (BRIDGE_CONFIG_MISSING)',
          'set BRIDGE_CONFIG to the mapping file (docs/mapping.md), restart, then replay those dead letters',
        ),
  );
  // config.ts already insists on issuer and audience with the certificate.
  out.push(
    config.INBOUND_JWT_CERT
      ? c.pass('inbound', `Salesforce callouts: JWT from issuer ${config.INBOUND_JWT_ISSUER}`)
      : config.INBOUND_API_KEYS.length > 0
        ? c.pass('inbound', `Salesforce callouts: ${config.INBOUND_API_KEYS.length} development API key(s)`)
        : c.fail(
            'inbound',
            'no inbound credential: every callout from Salesforce is refused',
            'set INBOUND_JWT_CERT, INBOUND_JWT_ISSUER and INBOUND_JWT_AUDIENCE (docs/security.md)',
          ),
  );
  if (config.NODE_ENV === 'production') out.push(...productionChecks(config));
  return out;
}

function productionChecks(config: Config): CheckResult[] {
  const problems: Array<[string, string]> = [];
  if (config.D365_URL?.startsWith('http:')) problems.push(['D365_URL', 'is http, not https']);
  if (config.SF_LOGIN_URL.startsWith('http:')) problems.push(['SF_LOGIN_URL', 'is http, not https']);
  if (config.METRICS_PUBLIC === true) problems.push(['METRICS_PUBLIC', 'opens /metrics to anyone']);
  if (config.DOCS_PUBLIC === true) problems.push(['DOCS_PUBLIC', 'opens /docs to anyone']);
  if (config.ADMIN_API_KEYS.length === 0)
    problems.push(['ADMIN_API_KEYS', 'is empty: nobody can use the admin API']);
  if (problems.length === 0)
    return [c.pass('production', 'production settings: https upstreams, closed /metrics and /docs')];
  return problems.map(([v, why]) =>
    c.fail(`production.${v}`, `NODE_ENV=production but ${v} ${why}`, `change ${v} (docs/configuration.md)`),
  );
}
