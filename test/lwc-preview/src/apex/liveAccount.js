/**
 * The demo Account as the org holds it now, when the preview runs in the sandbox: the preview
 * server's `GET /salesforce/accounts` reads the Salesforce emulator (standing fields and
 * `Invoice__c` records, in SOQL's field names), so the pages show what the flows wrote. Anywhere
 * else (the browser tests) that route is a 404 and this answers null: the stand-ins then use the
 * demo world's fixed standings. Matched by Name: the emulator gives the records its own Ids.
 */
export default async function liveAccount(name) {
  let response;
  try {
    response = await fetch('/salesforce/accounts', { headers: { Accept: 'application/json' } });
  } catch {
    return null;
  }
  if (!response.ok) return null;
  const accounts = await response.json();
  return accounts.find((a) => a.Name === name) ?? null;
}
