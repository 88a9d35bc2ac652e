// The portal end to end: a real `accord serve` on the demo world (scripts/demo_data.sh), Debian's
// chromium, and the pages used the way people use them. Screenshots go to $E2E_ARTIFACTS.
//
// The demo facts these tests lean on (demo/demo.json, checked at the time of writing):
// - Kofi Mensah (artist:kofi-mensah) is the main artist of "Paper Skies" (QZDMO2600003), whose
//   masters Atlas Nordic and Northern Lights license for dj_voice everywhere in DE, with no end
//   date before 2028; dj_voice is opt-in. So "may the AI DJ talk over Paper Skies in DE now?"
//   is decided by Kofi's dj_voice switch alone.
// - July 2026's royalty run has a statement for label:northern-lights and artist:muldjord (whose
//   own artist token, "artist_muldjord", scripts/demo_data.sh also issues).

import { readFileSync } from 'node:fs';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Browser, api, launch, settled, shot, signIn, tokens } from './harness';

const SCOPE = 'dj_voice';
const RECORDING = 'QZDMO2600003';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

function switchFor(page: Page, scope: string) {
  return page.locator(`button[role="switch"][data-scope="${scope}"]`);
}

async function isOn(page: Page, scope: string): Promise<boolean> {
  return (await switchFor(page, scope).getAttribute('aria-checked')) === 'true';
}

async function waitForSwitch(page: Page, scope: string, on: boolean): Promise<void> {
  await page.waitForSelector(`button[role="switch"][data-scope="${scope}"][aria-checked="${on}"]:not([disabled])`);
}

async function checkUse(page: Page, scope: string, recording: string, territory: string): Promise<void> {
  await page.getByLabel('Recording', { exact: true }).selectOption(recording);
  await page.getByLabel('AI use', { exact: true }).selectOption(scope);
  await page.getByLabel('Territory', { exact: true }).fill(territory);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
}

describe('sign-in', () => {
  it('refuses an unknown token with the server’s words and request id', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${process.env.ACCORD_URL}/`);
    await page.fill('#token', 'not-a-real-token');
    await page.click('button[type=submit]');
    const error = page.locator('.error[role=alert]');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('401');
    expect(await error.locator('.request-id').textContent()).toMatch(/^r-/);
    expect(await page.evaluate(() => sessionStorage.getItem('accord.token'))).toBeNull();
    await shot(page, 'login-refused');
    await page.close();
  });

  it('keeps the token out of the URL and forgets it on log out', async () => {
    const page = await signIn(browser.context, tokens.artist);
    expect(page.url()).not.toContain(tokens.artist);
    expect(await page.evaluate(() => sessionStorage.getItem('accord.token'))).toBe(tokens.artist);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForSelector('#token');
    expect(await page.evaluate(() => sessionStorage.getItem('accord.token'))).toBeNull();
    await page.close();
  });
});

describe('artist', () => {
  let page: Page;

  beforeAll(async () => {
    page = await signIn(browser.context, tokens.artist);
    await settled(page);
  });

  afterAll(async () => {
    await page.close();
  });

  it('opens the artist page for the artist token', async () => {
    const me = await api<{ party: string; party_name: string }>(tokens.artist, '/api/me');
    expect(page.url()).toMatch(/#\/artist$/);
    expect(await page.locator('main h1').textContent()).toBe(me.party_name);
    expect(await page.locator('button[role="switch"]').count()).toBe(8);
    // Every switch says in words what it allows and whether it is the platform default.
    for (const row of await page.locator('.scope-row').all()) {
      expect((await row.locator('.scope-text p').first().textContent())?.length).toBeGreaterThan(20);
      expect(await row.locator('.badge').textContent()).toMatch(/platform default|your choice/);
    }
    await page.waitForSelector('#usage figure svg.chart');
    await shot(page, 'artist');
  });

  it('flips a consent and the decision for a use of the artist’s recording changes', async () => {
    const before = await isOn(page, SCOPE);
    await checkUse(page, SCOPE, RECORDING, 'DE');
    const first = page.locator(`.decision[data-allowed="${before}"]`);
    await first.waitFor();
    if (!before) {
      // Not allowed: the reason names the artist's missing or negative consent.
      expect(await page.locator('.decision .reasons li').first().getAttribute('data-rule')).toMatch(/^consent_(missing|opted_out)$/);
    }
    await shot(page, 'artist-check-before');

    await switchFor(page, SCOPE).click();
    await waitForSwitch(page, SCOPE, !before);
    // The open answer is checked again at once, and now goes the other way.
    await page.locator(`.decision[data-allowed="${!before}"]`).waitFor();
    expect(await page.locator('.status-line').textContent()).toMatch(/^Saved: /);
    const history = await api<{ history: { scope: string; choice: string }[] }>(
      tokens.artist,
      `/api/parties/${encodeURIComponent((await api<{ party: string }>(tokens.artist, '/api/me')).party)}/consents`,
    );
    expect(history.history[0]).toMatchObject({ scope: SCOPE, choice: before ? 'opt_out' : 'opt_in' });
    expect(await page.locator('#consent-history tbody tr').count()).toBe(history.history.length);
    await shot(page, 'artist-check-after-flip');

    // And back, which is again a new record, not an edit.
    await switchFor(page, SCOPE).click();
    await waitForSwitch(page, SCOPE, before);
    await page.locator(`.decision[data-allowed="${before}"]`).waitFor();
    expect(await page.locator('#consent-history tbody tr').count()).toBe(history.history.length + 1);
  });

  it('shows a clear refusal when the artist opens the admin page', async () => {
    await page.evaluate(() => {
      location.hash = '#/admin';
    });
    const error = page.locator('.error[role=alert]');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('403');
    expect(await error.getAttribute('data-code')).toBe('permission_denied');
    expect(await error.locator('.error-title').textContent()).toMatch(/^Refused/);
    expect((await error.locator('.error-message').textContent())?.length).toBeGreaterThan(10);
    expect(await error.locator('.request-id').textContent()).toMatch(/^r-/);
    expect(await page.locator('#tokens').count()).toBe(0);
    await shot(page, 'artist-refused-admin');
    await page.evaluate(() => {
      location.hash = '#/artist';
    });
    await page.waitForSelector('button[role="switch"]');
  });
});

describe('statements', () => {
  it('lets an artist verify their own statement on the artist page', async () => {
    const page = await signIn(browser.context, tokens.artist_muldjord);
    await settled(page);
    const card = page.locator('#statements article.statement[data-party="artist:muldjord"]');
    await card.getByRole('button', { name: 'Verify' }).click();
    const report = card.locator('.verify-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.locator('.failures li').allTextContents()).toEqual([]);
    expect(await report.getAttribute('data-result')).toBe('verified');
    // The licenses of his music: his distributor signed for him.
    const licenses = page.locator('#licenses tr', { hasText: 'AG-OPENWAVE-2026' });
    expect(await licenses.textContent()).toContain('dist:openwave');
    expect(await page.locator('#licenses tr', { hasText: 'AG-ATLAS-2025' }).count()).toBe(0);
    await shot(page, 'artist-statement-verified');
    await page.close();
  });

  it('verifies a statement in the browser against the signed checkpoint', async () => {
    const page = await signIn(browser.context, tokens.rights_holder);
    await settled(page);
    const me = await api<{ party: string }>(tokens.rights_holder, '/api/me');
    const { public_key: key } = await api<{ public_key: string }>(tokens.rights_holder, '/api/ledger/public-key');
    const runs = await api<{ items: { period: string; checkpoint: { root: string; tree_size: number } }[] }>(
      tokens.rights_holder,
      '/api/royalties/runs',
    );
    const latest = runs.items.sort((a, b) => b.period.localeCompare(a.period))[0]!;

    const card = page.locator(`article.statement[data-party="${me.party}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Show lines' }).click();
    await card.locator('.lines table').waitFor();
    await card.getByRole('button', { name: 'Verify' }).click();
    const report = card.locator('.verify-report');
    await report.waitFor({ timeout: 30_000 });
    const failures = await report.locator('.failures li').allTextContents();
    expect(failures).toEqual([]);
    expect(await report.getAttribute('data-result')).toBe('verified');
    expect(await report.locator('[data-check="key"]').textContent()).toBe(key);
    expect(await report.locator('[data-check="root"]').textContent()).toBe(latest.checkpoint.root);
    expect(await report.locator('[data-check="signature"]').textContent()).toBe('valid for this key');
    expect(Number(await report.locator('[data-check="lines"]').textContent())).toBeGreaterThan(0);
    expect(await report.locator('[data-check="events"]').textContent()).toMatch(/^[1-9]\d* distinct events, [1-9]\d* inclusion proofs$/);
    await shot(page, 'statement-verified');

    // The same statement with one event altered on its way to the browser: the check must fail
    // and say which line and event.
    await page.route('**/lines/1/events**', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: { proof: { event: string } }[] };
      const first = body.items[0];
      if (first) first.proof.event = first.proof.event.replace('"territory":"', '"territory":"X');
      await route.fulfill({ response, json: body });
    });
    await card.getByRole('button', { name: 'Verify' }).click();
    await card.locator('.verify-report[data-result="failed"]').waitFor({ timeout: 30_000 });
    const tampered = await card.locator('.verify-report .failures li').allTextContents();
    expect(tampered[0]).toMatch(/^line 1: event \S+ \(sequence \d+\): event at leaf \d+ .*signed root is [0-9a-f]{64}$/);
    await shot(page, 'statement-tampered');
    await page.unroute('**/lines/1/events**');
    await page.close();
  });

  it('downloads a statement as CSV and as a DSR flat file', async () => {
    const page = await signIn(browser.context, tokens.rights_holder);
    const me = await api<{ party: string }>(tokens.rights_holder, '/api/me');
    const card = page.locator(`article.statement[data-party="${me.party}"]`);
    await card.waitFor();
    for (const [button, firstLine] of [
      ['Download CSV', /^period,party,line,kind,source,isrc,scope,territory,role,share_ppm,uses,basis,amount,currency\r?$/],
      ['Download DSR', /^HEAD\t/],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: button }).click()]);
      const text = readFileSync((await download.path())!, 'utf8');
      expect(text.split('\n')[0]).toMatch(firstLine);
      expect(download.suggestedFilename()).toMatch(/^statement-\d{4}-\d{2}-.+\.(csv|dsr\.tsv)$/);
    }
    await page.close();
  });

  it('lets an auditor check the checkpoints and any statement', async () => {
    const page = await signIn(browser.context, tokens.auditor);
    await settled(page);
    expect(page.url()).toMatch(/#\/audit$/);
    const signatures = await page.locator('#ledger tbody tr td:nth-child(4)').allTextContents();
    expect(signatures.length).toBeGreaterThan(0);
    expect(new Set(signatures)).toEqual(new Set(['valid']));
    const card = page.locator('article.statement[data-party="artist:muldjord"]');
    await card.getByRole('button', { name: 'Verify' }).click();
    await card.locator('.verify-report[data-result="verified"]').waitFor({ timeout: 30_000 });
    await shot(page, 'auditor');
    await page.close();
  });
});

describe('rights holder', () => {
  it('shows coverage per AI use and earnings by period', async () => {
    const page = await signIn(browser.context, tokens.rights_holder);
    await settled(page);
    expect(page.url()).toMatch(/#\/rights-holder$/);
    expect(await page.locator('#coverage .coverage-row svg.share-bars').count()).toBe(8);
    await page.locator('#earnings svg.chart').first().waitFor();
    expect(await page.locator('#agreements .error, #coverage .error, #earnings .error, #statements .error').count()).toBe(0);
    // Northern Lights signed nothing itself: its distributor's agreement licenses its catalog,
    // and shows without the terms, which are between OpenWave and the platform.
    const openwave = page.locator('#agreements tr', { hasText: 'AG-OPENWAVE-2026' });
    await openwave.waitFor();
    expect(await openwave.textContent()).toContain('Not shown to you');
    expect(await openwave.textContent()).not.toContain('per use');
    await shot(page, 'rights-holder');
    await page.close();
  });
});

describe('phone width (375 px)', () => {
  for (const [role, token] of [
    ['artist', tokens.artist],
    ['rights-holder', tokens.rights_holder],
  ] as const) {
    it(`lays out the ${role} page without sideways scrolling`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 375, height: 812 });
      await page.goto(`${process.env.ACCORD_URL}/`);
      await page.fill('#token', token);
      await page.click('button[type=submit]');
      await page.waitForSelector('main h1');
      await settled(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(375);
      await shot(page, `phone-${role}`);
      await page.close();
    });
  }
});

describe('keyboard only', () => {
  it('signs in and flips a switch without the mouse, with the focus visible', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${process.env.ACCORD_URL}/`);
    await page.waitForFunction(() => document.activeElement?.id === 'token');
    await page.keyboard.type(tokens.artist);
    await page.keyboard.press('Enter');
    await page.waitForSelector('button[role="switch"]');
    await settled(page);

    const target = `button[role="switch"][data-scope="${SCOPE}"]`;
    let reached = false;
    for (let presses = 0; presses < 80 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, target);
    }
    expect(reached).toBe(true);
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThan(0);

    const before = await isOn(page, SCOPE);
    await page.keyboard.press('Space');
    await waitForSwitch(page, SCOPE, !before);
    // The focus stays on the switch, so the next key press acts on it again.
    expect(await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, target)).toBe(true);
    await shot(page, 'keyboard-flip');
    await page.keyboard.press('Enter');
    await waitForSwitch(page, SCOPE, before);
    await page.close();
  });
});

describe('after the run, the ledger grows', () => {
  it('still verifies against the run’s own checkpoint after a newer one is signed', async () => {
    // One more AI use (August) and a newer signed checkpoint, through the admin API.
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${process.env.ACCORD_URL}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
      return response.json() as Promise<{ tree_size?: number }>;
    };
    await post('/api/usage', {
      id: 'e2e-dj-0801',
      time: '2026-08-01T10:00:00Z',
      listener: 'l-e2e',
      territory: 'DE',
      scope: 'dj',
      feature: 'dj',
      recordings: [{ isrc: 'QZDMO2600001', weight_ppm: 1000000 }],
      duration_ms: 274000,
    });
    const newer = await post('/api/ledger/checkpoints', {});

    const page = await signIn(browser.context, tokens.artist_muldjord);
    await settled(page);
    const card = page.locator('#statements article.statement[data-party="artist:muldjord"]');
    await card.getByRole('button', { name: 'Verify' }).click();
    const report = card.locator('.verify-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.locator('.failures li').allTextContents()).toEqual([]);
    expect(await report.getAttribute('data-result')).toBe('verified');
    // The server proves each event against the run's checkpoint, not the newer head, so no
    // other checkpoint (and no consistency proof) is needed; the vitest suite covers that path.
    expect(newer.tree_size).toBeGreaterThan(0);
    expect(await report.locator('[data-check="other-checkpoints"]').count()).toBe(0);
    await shot(page, 'statement-verified-after-growth');
    await page.close();
  });
});

describe('admin', () => {
  it('creates a token (secret shown once), which works until it is revoked', async () => {
    const page = await signIn(browser.context, tokens.admin);
    await settled(page);
    expect(page.url()).toMatch(/#\/admin$/);
    expect(await page.locator('#parties tbody tr').count()).toBeGreaterThan(5);

    const tokensSection = page.locator('#tokens');
    await tokensSection.getByLabel('Role').selectOption('artist');
    await tokensSection.getByLabel('Party', { exact: true }).fill('artist:muldjord');
    await tokensSection.getByRole('button', { name: 'Create token' }).click();
    const secretBox = tokensSection.locator('.secret-box');
    await secretBox.waitFor();
    const secret = await secretBox.locator('input.secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const id = (await secretBox.locator('strong').textContent())!.match(/^Token (\S+) created/)![1]!;
    await shot(page, 'admin-token-created');

    const me = await api<{ party: string; role: string }>(secret, '/api/me');
    expect(me).toMatchObject({ party: 'artist:muldjord', role: 'artist' });
    // The list shows the id, never a secret.
    await settled(page);
    expect(await tokensSection.locator('table').textContent()).not.toContain(secret);

    await tokensSection.locator(`button[data-token="${id}"]`).click();
    await tokensSection.getByRole('button', { name: `Confirm: revoke ${id}` }).click();
    await tokensSection.getByText(`Revoked ${id}.`).waitFor();
    const revoked = await fetch(`${process.env.ACCORD_URL}/api/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(revoked.status).toBe(401);
    await page.close();
  });

  it('starts a royalty run', async () => {
    const page = await signIn(browser.context, tokens.admin);
    await settled(page);
    const runs = page.locator('#runs');
    const pools = readFileSync(new URL('../../demo/pools.json', import.meta.url), 'utf8');
    await runs.getByLabel('Period', { exact: true }).fill('2026-07');
    await runs.getByLabel('Revenue pools (JSON)').fill(pools);
    await runs.getByLabel('Replace a stored run of this period').check();
    await runs.getByRole('button', { name: 'Start the run' }).click();
    await runs.getByText('Run 2026-07 stored.').waitFor();
    expect(await runs.locator('tbody tr').first().textContent()).toContain('2026-07');

    // A pools document the server cannot take is refused with its words, naming the field.
    await runs
      .getByLabel('Revenue pools (JSON)')
      .fill('{"pools": [{"id": "p", "amount": "1.234", "currency": "EUR", "territory": "DE", "scopes": ["dj"]}]}');
    await runs.getByRole('button', { name: 'Start the run' }).click();
    const error = runs.locator('.error[role=alert]');
    await error.waitFor();
    expect(await error.getAttribute('data-status')).toBe('400');
    expect(await error.locator('.error-message').textContent()).toMatch(/amount/);
    await shot(page, 'admin-runs');
    await page.close();
  });
});
