import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { setupI18n, type I18n } from '@lingui/core';
import { compileMessage } from '@lingui/message-utils/compileMessage';
import { beforeEach, expect } from 'vitest';
import { PHONE, PROJECTOR, screenshot, seriousViolations, watchForeignRequests } from '../support/browser.js';

/**
 * The browser tests read the client's own catalogs and format them with the client's i18n library
 * (Lingui: ICU messages), so they follow the locale files, not a copy.
 */
const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client/src/locales');

export type Lang = 'en' | 'da' | 'nb';
type Catalog = Record<string, string>;

const catalogs = new Map<Lang, { messages: Catalog; i18n: I18n }>();

function catalog(lang: Lang): { messages: Catalog; i18n: I18n } {
  let found = catalogs.get(lang);
  if (!found) {
    const messages = JSON.parse(fs.readFileSync(path.join(LOCALES, `${lang}.json`), 'utf8')) as Catalog;
    const i18n = setupI18n();
    i18n.setMessagesCompiler(compileMessage);
    i18n.loadAndActivate({ locale: lang, messages });
    found = { messages, i18n };
    catalogs.set(lang, found);
  }
  return found;
}

/** A string from client/src/locales/{lang}.json, interpolated and pluralised the way the client does. */
export function tr(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  const { messages, i18n } = catalog(lang);
  const message = messages[key];
  if (message === undefined) throw new Error(`no string "${key}" in ${lang}.json`);
  // Lingui leaves a missing value out; a test that forgets one should fail instead.
  for (const [, name] of message.matchAll(/\{\s*(\w+)\s*[,}]/g)) {
    if (!(name! in vars)) throw new Error(`"${key}" needs {${name}}`);
  }
  // What people typed comes out as typed: the client writes a value's backslashes as escapes, which
  // Lingui decodes again (see client/src/i18n.ts); the expected text is the same.
  const literal = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v.replaceAll('\\', '\\u005c') : v]));
  return i18n._(key, literal);
}

/** One person's browser: its own context (storage, viewport), one page, and what it saw go wrong. */
export interface Actor {
  label: string;
  context: BrowserContext;
  page: Page;
  lang: Lang;
  /** Requests to any host but the app's own. */
  foreign: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  t(key: string, vars?: Record<string, string | number>): string;
}

export interface ActorOptions {
  /** Turn the Content-Security-Policy off in this context, to test the rendering without that safety net. */
  bypassCSP?: boolean;
  isMobile?: boolean;
}

export async function openActor(
  browser: Browser,
  origin: string,
  label: string,
  viewport: { width: number; height: number },
  options: ActorOptions = {},
): Promise<Actor> {
  const context = await browser.newContext({
    viewport,
    locale: 'en-US',
    acceptDownloads: true,
    bypassCSP: options.bypassCSP ?? false,
    isMobile: options.isMobile ?? false,
    hasTouch: options.isMobile ?? false,
  });
  context.setDefaultTimeout(10_000);
  // Every CSP violation the page reports, whatever the console says about it.
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} sample=${JSON.stringify(e.sample)}`);
    });
  });
  const page = await context.newPage();
  const actor: Actor = {
    label,
    context,
    page,
    lang: 'en',
    foreign: watchForeignRequests(page, origin),
    errors: [],
    t(key, vars) {
      return tr(actor.lang, key, vars);
    },
  };
  page.on('pageerror', (err) => actor.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') actor.errors.push(`console.error: ${msg.text()}`);
  });
  return actor;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

/** A full-page screenshot from the top: one of a scrolled page draws the sticky phase bar mid-page. */
export async function shot(page: Page, name: string): Promise<string> {
  await page.evaluate(() => window.scrollTo(0, 0));
  return screenshot(page, name);
}

/** A label made safe for a file name: "board (CSP off)" → "board-csp-off". */
export const fileLabel = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Full-page screenshots at phone and projector size (tests/artifacts/NAME--phone.png,
 * --projector.png). Returns the sizes at which the page is wider than the window (a sideways
 * scroll on a phone).
 */
export async function capture(page: Page, name: string): Promise<string[]> {
  const original = page.viewportSize();
  const overflow: string[] = [];
  // From the top: a full-page shot of a scrolled page draws the sticky phase bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const [size, viewport] of [
    ['phone', PHONE],
    ['projector', PROJECTOR],
  ] as const) {
    await page.setViewportSize(viewport);
    await screenshot(page, `${name}--${size}`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    if (scrollWidth > clientWidth) overflow.push(`${name}--${size}: ${scrollWidth}px wide in a ${clientWidth}px window`);
  }
  if (original) await page.setViewportSize(original);
  return overflow;
}

/**
 * Screenshots and an axe-core check of each actor's current view, in parallel; fails with every
 * serious or critical violation found and every sideways overflow, named by view.
 */
export async function look(views: { actor: Actor; name: string }[]): Promise<void> {
  const found = await Promise.all(
    views.map(async ({ actor, name }) => {
      const violations = await seriousViolations(actor.page);
      const overflow = await capture(actor.page, name);
      return [...violations.map((v) => `${name}: ${v}`), ...overflow];
    }),
  );
  expect(found.flat()).toEqual([]);
}

/** Text of the first element matching a test id, or null while there is none (never waits long). */
export async function textOf(page: Page, testId: string): Promise<string | null> {
  const locator = page.getByTestId(testId);
  if ((await locator.count()) === 0) return null;
  return locator.first().textContent({ timeout: 1000 }).catch(() => null);
}

/** m:ss (or h:mm:ss) as seconds. */
export function clockSeconds(text: string): number {
  const parts = text.split(':').map(Number);
  return parts.reduce((sum, n) => sum * 60 + n, 0);
}

export async function closeActors(actors: (Actor | undefined)[]): Promise<void> {
  await Promise.all(actors.map((a) => a?.context.close().catch(() => undefined)));
}

/**
 * The file's tests are steps of one story: once a step fails, the rest are skipped, since they
 * would only repeat its error.
 */
export function stepsBuildOnEachOther(): void {
  let broken = false;
  beforeEach(({ skip, onTestFailed }) => {
    if (broken) skip();
    onTestFailed(() => {
      broken = true;
    });
  });
}
