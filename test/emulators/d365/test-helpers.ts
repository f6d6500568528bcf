/** Shared helpers for the emulator's own tests (real HTTP against an in-process emulator). */
import { startD365Emulator, type D365Emulator, type D365EmulatorOptions } from './index.js';

export async function startTestEmulator(options: D365EmulatorOptions = {}): Promise<D365Emulator> {
  return startD365Emulator({ timeScale: 0.01, httpsPort: false, ...options });
}

export async function getToken(emu: D365Emulator, scopeBase = emu.url): Promise<string> {
  const res = await fetch(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emu.clientId,
      client_secret: emu.clientSecret,
      scope: `${scopeBase}/.default`,
    }),
  });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface ODataClient {
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  send(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
}

export async function odataClient(emu: D365Emulator): Promise<ODataClient> {
  const token = await getToken(emu);
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${emu.url}/data/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json; odata.metadata=minimal' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return { get: (path, headers) => send('GET', path, undefined, headers), send };
}
