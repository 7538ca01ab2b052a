import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CreateSessionResponse, RoleView } from '@kollegium/shared';
import { launchChromium, PHONE, screenshot, seriousViolations } from '../support/browser.js';
import { startServer, type TestServer } from '../support/server.js';
import { joinParticipant, keyOf, postJson, TestClient } from '../support/clients.js';
import { tr } from './helpers.js';

/**
 * A participant's page goes offline while typing and posting; back online, everything posted
 * appears once on every screen.
 *
 * The participant (a phone) is in the reflect phase of a focus round. The network goes away
 * (Playwright's offline mode; the browser fires 'offline' and Socket.IO drops the connection).
 * Two contributions are posted: they stay on the phone as pending ("Sending…", then the
 * not-confirmed warning) and are kept in localStorage. A private note cannot be saved offline:
 * it says so and offers a retry.
 *
 * A reload while truly offline cannot load the page at all (there is no service worker), so the
 * reload is tested the way it matters: the network is back for HTTP, but the realtime connection
 * is still blocked while the page loads, so the page starts from what localStorage kept — the
 * outbox, the composer draft and the note draft — and nothing has reached the server yet. Then
 * the connection is let through: the outbox sends both, in order, with the command ids they were
 * given offline, and each appears exactly once on the facilitator's page, the board and the
 * phone itself (and once in the server's own state).
 *
 * A server kill-and-restart is covered elsewhere.
 */

const t = (key: string, vars?: Record<string, string | number>): string => tr('en', key, vars);

const LAPTOP = { width: 1366, height: 768 };
const FIRST = 'Offline one: I would ask each person what they need first.';
const SECOND = 'Offline two: a short weekly check-in helped my team.';
const DRAFT = 'A third thought, still being typed';
const NOTE = 'Take home: plan check-ins with my own leads';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const sockets: TestClient[] = [];
/** Shared by the two steps below (the second continues the first one's round). */
let phone: { context: BrowserContext; page: Page; errors: string[] } | undefined;
let facilitatorPage: Page | undefined;
let control: TestClient | undefined;

beforeAll(async () => {
  server = await startServer({ serveClient: true });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await server?.close();
});

async function open(url: string, viewport = PHONE): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return { context, page, errors };
}

const items = (page: Page, text: string) => page.getByTestId('contribution').filter({ hasText: text });

/** What this participant's outbox holds in localStorage (cid and text per entry). */
const storedOutbox = (page: Page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('kollegium.outbox.'));
    if (!key) return [];
    const data = JSON.parse(localStorage.getItem(key) ?? '{}') as { entries?: { cid: string; payload: { text: string } }[] };
    return (data.entries ?? []).map((e) => ({ cid: e.cid, text: e.payload.text }));
  });

describe('offline while posting', () => {
  it('keeps what was posted offline, across a reload, and delivers each exactly once', { timeout: 40_000 }, async () => {
    // A focus round in reflect, driven over sockets; the owner's challenge is in focus.
    const created = await postJson<CreateSessionResponse>(`${server.url}/api/sessions`, { title: 'Offline round', format: 'focus' });
    const { code, links } = created.body;
    control = await new TestClient(server.url, { role: 'facilitator', code, key: keyOf(links.facilitator) }, 'facilitator').connected();
    const owner = await joinParticipant(server.url, code, 'Owner');
    sockets.push(control, owner);
    await owner.do('challenge:submit', { title: 'Too many meetings', question: 'What can I drop?' });

    // The phone joins through the UI.
    phone = await open(`${server.url}/join/${code}`);
    await phone.page.getByLabel(t('join.nameLabel')).fill('Phone');
    await phone.page.getByRole('button', { name: t('join.join'), exact: true }).click();
    await phone.page.waitForURL(`**/s/${code}`);

    await control.do('round:start', {});
    await control.do('round:next', {}); // choose → confirm (top-voted: the only challenge)
    await owner.until((v) => v.phase === 'confirm' && v.me.isOwner);
    await owner.do('challenge:confirm', {});
    await control.do('round:next', {}); // present → clarify
    await control.do('round:next', {}); // clarify → reflect
    await control.until((v) => v.phase === 'reflect');

    const facilitator = await open(new URL(links.facilitator, server.url).href, LAPTOP);
    const board = await open(new URL(links.board, server.url).href, LAPTOP);
    const { page, context } = phone;
    const composer = page.getByLabel(t('composer.text'));
    await composer.waitFor();
    await facilitator.page.getByTestId('contributions').first().waitFor({ state: 'attached' });
    await board.page.getByTestId('contributions').first().waitFor({ state: 'attached' });

    // Offline: the banner says so.
    await context.setOffline(true);
    await page.locator('.connection-banner').filter({ hasText: t('connection.offline') }).waitFor();

    // Two contributions posted offline: cleared from the box, shown as pending, kept on the device.
    for (const text of [FIRST, SECOND]) {
      await composer.fill(text);
      await page.getByRole('button', { name: t('composer.post') }).click();
      await expect.poll(() => composer.inputValue()).toBe('');
    }
    const pending = page.getByRole('list', { name: t('outbox.listLabel') }).getByTestId('pending-item');
    await expect.poll(() => pending.count()).toBe(2);
    expect(await pending.filter({ hasText: FIRST }).getByText(t('outbox.sending')).count()).toBe(1);
    // Not confirmed after a few seconds: a visible warning on each.
    await pending.filter({ hasText: SECOND }).getByText(t('outbox.slowOffline')).waitFor({ timeout: 8000 });
    expect(await pending.getByText(t('outbox.slowOffline')).count()).toBe(2);
    expect(await page.getByTestId('outbox-announcer').textContent()).toContain(t('outbox.slowOffline'));
    const kept = await storedOutbox(page);
    expect(kept.map((e) => e.text)).toEqual([FIRST, SECOND]);

    // A command that is not kept in the outbox (the private note) says it could not be sent and offers a retry.
    await page.getByLabel(t('note.label')).fill(NOTE);
    await page.getByRole('button', { name: t('note.save') }).click();
    await page.getByText(t('errors.OFFLINE')).waitFor();
    await page.getByRole('button', { name: t('action.retry') }).waitFor();

    // Still typing: a draft.
    await composer.fill(DRAFT);
    await screenshot(page, 'offline-01-pending-phone');
    expect(await seriousViolations(page)).toEqual([]);

    // Nothing reached the server.
    expect(control.view.contributions).toHaveLength(0);
    expect(await items(facilitator.page, 'Offline').count()).toBe(0);

    // Reload with the realtime connection still blocked: the page starts from localStorage alone.
    await context.route('**/socket.io/**', (route) => route.abort());
    await context.setOffline(false);
    await page.reload();
    await page.getByRole('heading', { name: t('gate.connecting') }).waitFor();
    expect(await storedOutbox(page)).toEqual(kept);

    // The connection comes back: the outbox sends both, in order, with the same ids.
    await context.unroute('**/socket.io/**');
    for (const p of [facilitator.page, board.page, page]) {
      for (const text of [FIRST, SECOND]) await items(p, text).waitFor({ timeout: 15_000 });
    }
    await expect.poll(() => storedOutbox(page)).toEqual([]);
    await expect.poll(() => pending.count()).toBe(0);
    // Give any stray second copy time to arrive, then count: once each, everywhere.
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of [facilitator.page, board.page, page]) {
      expect(await items(p, FIRST).count()).toBe(1);
      expect(await items(p, SECOND).count()).toBe(1);
      expect(await p.getByTestId('contribution').count()).toBe(2);
    }
    const state: RoleView = await control.until((v) => v.contributions.length >= 2);
    expect(state.contributions.map((c) => c.text)).toEqual([FIRST, SECOND]);
    expect(state.contributions[0]!.order).toBeLessThan(state.contributions[1]!.order);

    // The drafts survived the reload: the composer text and the unsaved note.
    expect(await composer.inputValue()).toBe(DRAFT);
    expect(await page.getByRole('radio', { name: t('kinds.reflection') }).isChecked()).toBe(true);
    const note = page.getByLabel(t('note.label'));
    expect(await note.inputValue()).toBe(NOTE);
    await page.getByRole('button', { name: t('note.save') }).click();
    await page.getByRole('status').filter({ hasText: t('common.saved') }).waitFor();
    await screenshot(page, 'offline-02-delivered-phone');
    await screenshot(facilitator.page, 'offline-02-delivered-facilitator');

    expect([...phone.errors, ...facilitator.errors, ...board.errors]).toEqual([]);
    facilitatorPage = facilitator.page;
  });

  it('drops a contribution the server refuses for good, and says why', async () => {
    if (!phone || !control || !facilitatorPage) throw new Error('needs the step before');
    const { page, context } = phone;
    const LATE = 'Posted offline, but the round moved on';
    const composer = page.getByLabel(t('composer.text'));

    await context.setOffline(true);
    await page.locator('.connection-banner').filter({ hasText: t('connection.offline') }).waitFor();
    await composer.fill(LATE);
    await page.getByRole('button', { name: t('composer.post') }).click();
    const item = page.getByTestId('pending-item').filter({ hasText: LATE });
    await item.getByText(t('outbox.sending')).waitFor();
    // The note, changed offline: not kept in the outbox, so it says so and offers a retry.
    const note = page.getByLabel(t('note.label'));
    await note.fill(`${NOTE}, and ask HR`);
    await page.getByRole('button', { name: t('note.save') }).click();
    const retry = page.getByRole('button', { name: t('action.retry') });
    await retry.waitFor();

    // Meanwhile the facilitator moves on to respond, where contributions are closed.
    await control.do('round:next', {});
    await control.until((v) => v.phase === 'respond');

    // Back online: sent with its id, refused (NOT_ALLOWED_NOW, final), not retried, shown with the reason.
    await context.setOffline(false);
    const reason = t('outbox.failed', { reason: t('errors.NOT_ALLOWED_NOW') });
    await item.getByText(reason).waitFor({ timeout: 15_000 });
    expect(await item.getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('outbox-announcer').textContent()).toContain(LATE);
    await screenshot(page, 'offline-03-refused-phone');
    expect(await seriousViolations(page)).toEqual([]);

    // The retry sends the note now that the connection is back.
    await retry.click();
    await page.getByRole('status').filter({ hasText: t('common.saved') }).waitFor();
    await expect.poll(() => retry.count()).toBe(0);
    expect(await note.inputValue()).toBe(`${NOTE}, and ask HR`);
    expect(control.view.contributions.map((c) => c.text)).toEqual([FIRST, SECOND]);
    expect(await items(facilitatorPage, LATE).count()).toBe(0);

    // Dismissed: gone from the page and from the device.
    await item.getByRole('button', { name: t('outbox.dismissLabel', { text: LATE }) }).click();
    await expect.poll(() => item.count()).toBe(0);
    expect(await storedOutbox(page)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });
});
