/**
 * Headless Chromium for browser tests and the sandbox check, through playwright-core (which
 * downloads nothing: it drives the Debian `chromium` that scripts/setup installs).
 * `--no-sandbox` because it runs as root; the `--disable-*` flags stop background connections
 * (component updates, sync, QUIC) that would only be refused offline; a fresh user-data-dir per
 * launch, removed on close.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'fobridge-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1100, height: 720 },
    args: [
      '--headless',
      '--no-sandbox', // runs as root in the dev container
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
