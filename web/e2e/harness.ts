// What the end-to-end tests share: the server e2e/run.sh started, its demo tokens, a chromium
// with a fresh profile, sign-in, screenshots, and direct API calls for cross-checks.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, type Page, chromium } from 'playwright-core';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests through web/e2e/run.sh`);
  return value;
}

export const baseUrl = required('ACCORD_URL');
export const artifacts = required('E2E_ARTIFACTS');

/** DATA/demo-tokens.json as scripts/demo_data.sh writes it (it holds a few more). */
export interface DemoTokens {
  admin: string;
  /** artist:kofi-mensah */
  artist: string;
  /** artist:muldjord, who has a statement in the demo run */
  artist_muldjord: string;
  /** label:northern-lights */
  rights_holder: string;
  auditor: string;
}

export const tokens = JSON.parse(readFileSync(required('ACCORD_TOKENS'), 'utf8')) as DemoTokens;
for (const role of ['admin', 'artist', 'artist_muldjord', 'rights_holder', 'auditor'] as const) {
  if (!tokens[role]) throw new Error(`${process.env.ACCORD_TOKENS} has no "${role}" token`);
}

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** Debian's chromium, headless, with a profile of its own that is removed afterwards. */
export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'accord-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  // Everything on a local server answers in well under a second; fail fast when it does not.
  context.setDefaultTimeout(10_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the portal in a new tab and signs in with `token`; resolves when the page heading shows. */
export async function signIn(context: BrowserContext, token: string, hash = ''): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${baseUrl}/${hash}`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('main h1');
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** A direct API call (not through the browser), for the values the page must show. */
export async function api<T>(token: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until no section of the page is still loading. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
}
