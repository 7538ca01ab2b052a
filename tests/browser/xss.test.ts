import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, NARROW, PHONE, PROJECTOR } from '../support/browser.js';
import { startServer, type TestServer } from '../support/server.js';
import { closeActors, cspViolations, fileLabel, openActor, shot, textOf, type Actor, stepsBuildOnEachOther } from './helpers.js';

/**
 * Markup and script in everything people type: names, the session title, challenges,
 * contributions, next steps, notes and evaluation comments. Entered through the UI, shown on
 * participant, facilitator and board pages, they must stay plain text and run nothing.
 *
 * What counts as failure, and why:
 * - `window.__pwned` set: a payload ran.
 * - An element or attribute a payload would create (`<img src=x>`, any `on…` attribute, an
 *   iframe, a `javascript:` link): the payload was parsed as markup. With the strict CSP such an
 *   element would be blocked, so this is the check that does not rely on the CSP.
 * - Any Content-Security-Policy violation, and any console error. React writes text as text nodes,
 *   which the CSP never looks at, so the only way a payload can provoke a CSP report is by having
 *   become markup first: a report "from the payload that never executed" still means the rendering
 *   is broken and only the CSP saved us, so it fails the test too. A violation from our own code
 *   (an inline style or script, a data: font) would be a real defect as well. Hence: zero.
 * - Some pages run with the CSP switched off (Playwright's bypassCSP), so that `__pwned` would
 *   really be set if the rendering ever let a payload through: the rendering is tested on its own,
 *   not just the safety net.
 */

const IMG = `<img src=x onerror="window.__pwned=1">`;
const SCRIPT = `<script>window.__pwned=1</script>`;
const SVG = `"><svg onload=window.__pwned=1>`;
const JS_LINK = `<a href="javascript:window.__pwned=1">click</a>`;
const JS_URL = `javascript:window.__pwned=1//`;
const MD_LINK = `[open me](javascript:window.__pwned=1)`;
const IFRAME = `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`;
/** The i18n library must not interpolate or nest what people typed (i18next and ICU placeholders alike). */
const TEMPLATE = `{{title}} $t(common.loading) {{constructor.constructor('window.__pwned=1')()}}`;

// ICU placeholders and escapes too: they must come out as typed, not formatted or decoded.
const SESSION_TITLE = `${SCRIPT} {{title}} {title} $t(common.loading) \\x41\\u0042 ${SVG}`;
const OWNER_NAME = IMG;
const OTHER_NAME = `${SVG}{{name}}`;
const OWNER_CHALLENGE = { title: `${SCRIPT} Budget ${IMG}`, question: `${SVG} ${JS_LINK}`, context: `${IFRAME} ${MD_LINK} ${TEMPLATE}` };
const OTHER_CHALLENGE = { title: `${JS_LINK} ${IMG}`, question: `${SCRIPT}?` };
const QUESTION = `${JS_URL} ${IMG}`;
const REFLECTION = `${SCRIPT} ${IFRAME}`;
const SUGGESTION = `${MD_LINK} ${SVG} ${TEMPLATE}`;
const NEXT_STEP = `${IMG} ${JS_LINK}`;
const NOTE = `${SVG} ${SCRIPT}`;
const COMMENT = `${IFRAME} ${IMG}`;

const LAPTOP = { width: 1366, height: 768 };

let server: TestServer;
let browser: Browser;
let facilitator: Actor;
let owner: Actor;
let board: Actor;
/** These run with the CSP off: nothing but the rendering stands between a payload and execution. */
let other: Actor;
let boardNoCsp: Actor;
let facilitatorNoCsp: Actor;
let code = '';
let participantLink = '';

const all = () => [facilitator, facilitatorNoCsp, board, boardNoCsp, owner, other];
const withCsp = () => [facilitator, board, owner];

beforeAll(async () => {
  server = await startServer({ serveClient: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeActors(all());
  await browser?.close();
  await server?.close();
});

stepsBuildOnEachOther();

/** The text is on screen, literally, somewhere visible. */
async function shown(actor: Actor, text: string): Promise<void> {
  await actor.page
    .getByText(text)
    .filter({ visible: true })
    .first()
    .waitFor({ timeout: 5000 })
    .catch((err: Error) => {
      throw new Error(`${actor.label} does not show ${JSON.stringify(text)} as text: ${err.message.split('\n')[0]}`);
    });
}

/** Nothing ran, nothing became markup, no CSP violation, no error — on every page. */
async function expectInert(where: string): Promise<void> {
  for (const actor of all()) {
    const report = await actor.page.evaluate(() => {
      const elements = Array.from(document.querySelectorAll('*'));
      const handlers = elements.flatMap((el) =>
        Array.from(el.attributes)
          .filter((a) => a.name.toLowerCase().startsWith('on'))
          .map((a) => `<${el.tagName.toLowerCase()} ${a.name}>`),
      );
      const jsUrls = elements
        .filter((el) => ['href', 'src', 'action', 'formaction', 'xlink:href'].some((n) => /^\s*javascript:/i.test(el.getAttribute(n) ?? '')))
        .map((el) => el.outerHTML.slice(0, 100));
      const injected = Array.from(document.querySelectorAll('img[src="x"], iframe, object, embed, frame, svg[onload]')).map((el) =>
        el.outerHTML.slice(0, 100),
      );
      const scripts = Array.from(document.scripts)
        .filter((s) => !s.src || new URL(s.src).origin !== location.origin)
        .map((s) => s.outerHTML.slice(0, 100));
      return { pwned: (window as unknown as { __pwned?: unknown }).__pwned, handlers, jsUrls, injected, scripts };
    });
    expect(report, `${where}: ${actor.label}`).toEqual({ pwned: undefined, handlers: [], jsUrls: [], injected: [], scripts: [] });
    expect(await cspViolations(actor.page), `${where}: CSP violations on ${actor.label}`).toEqual([]);
    expect(actor.errors, `${where}: errors on ${actor.label}`).toEqual([]);
    expect(actor.foreign, `${where}: requests to other hosts from ${actor.label}`).toEqual([]);
  }
}

async function expectPhase(phaseText: string): Promise<void> {
  for (const actor of all()) await expect.poll(() => textOf(actor.page, 'phase'), { timeout: 5000 }).toBe(phaseText);
}

async function next(): Promise<void> {
  await facilitator.page.getByRole('button', { name: facilitator.t('controls.next'), exact: true }).click();
}

async function post(actor: Actor, kind: 'question' | 'reflection' | 'suggestion', text: string, anonymous = false): Promise<void> {
  const { page, t } = actor;
  await page.getByRole('radio', { name: t(`kinds.${kind}`) }).check();
  const box = page.getByLabel(t('composer.text'));
  await box.fill(text);
  await page.getByLabel(t('composer.anonymous')).setChecked(anonymous);
  await page.getByRole('button', { name: t('composer.post') }).click();
  await expect.poll(() => box.inputValue()).toBe('');
}

describe('HTML and script typed by people is shown as text and runs nothing', () => {
  it('every HTML response carries a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/join/ABCDEF', '/s/ABCDEF', '/facilitate/ABCDEF', '/board/ABCDEF']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name!, values]),
      );
      expect(directives.get('default-src'), `${path}: ${csp}`).toEqual(["'self'"]);
      expect(directives.get('script-src'), `${path}: ${csp}`).toEqual(["'self'"]);
      expect(directives.get('object-src'), `${path}: ${csp}`).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors'), `${path}: ${csp}`).toEqual(["'none'"]);
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
  });

  it('payloads go in through the UI: the session title and participant names', async () => {
    facilitator = await openActor(browser, server.url, 'facilitator', LAPTOP);
    const { page, t } = facilitator;
    const response = await page.goto(`${server.url}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel(t('home.sessionTitle')).fill(SESSION_TITLE);
    await page.getByRole('button', { name: t('home.create') }).click();
    await page.waitForURL(/\/facilitate\/[A-Z0-9]{6}$/);
    participantLink = await page.getByLabel(t('share.participantLink')).inputValue();
    code = participantLink.split('/').pop()!;
    const boardLink = (await page.getByRole('link', { name: t('share.openBoard') }).getAttribute('href')) ?? '';
    const facilitatorKey = await page.evaluate((c) => sessionStorage.getItem(`kollegium.facilitator.${c}`), code);
    expect(facilitatorKey).toBeTruthy();

    board = await openActor(browser, server.url, 'board', PROJECTOR);
    boardNoCsp = await openActor(browser, server.url, 'board (CSP off)', PROJECTOR, { bypassCSP: true });
    facilitatorNoCsp = await openActor(browser, server.url, 'facilitator (CSP off)', LAPTOP, { bypassCSP: true });
    // Not in mobile emulation: the payloads hold words too long for a 390 px line, headings do not
    // wrap them, the page grows wider than the phone and emulated taps then miss their targets
    // (reported; the focus round test runs the owner in mobile emulation).
    owner = await openActor(browser, server.url, 'owner', PHONE);
    other = await openActor(browser, server.url, 'participant (CSP off)', NARROW, { bypassCSP: true });
    await board.page.goto(boardLink);
    await boardNoCsp.page.goto(boardLink);
    await facilitatorNoCsp.page.goto(`${server.url}/facilitate/${code}#key=${encodeURIComponent(facilitatorKey!)}`);

    for (const [actor, name, challenge] of [
      [owner, OWNER_NAME, OWNER_CHALLENGE],
      [other, OTHER_NAME, OTHER_CHALLENGE],
    ] as const) {
      await actor.page.goto(participantLink);
      await shown(actor, actor.t('join.titleWith', { title: SESSION_TITLE }));
      await actor.page.getByLabel(actor.t('join.nameLabel')).fill(name);
      await actor.page.getByRole('button', { name: actor.t('join.join'), exact: true }).click();
      await actor.page.waitForURL(`${server.url}/s/${code}`);
      await shown(actor, actor.t('participant.signedInAs', { name }));
      await actor.page.getByLabel(actor.t('challengeForm.title')).fill(challenge.title);
      await actor.page.getByLabel(actor.t('challengeForm.question')).fill(challenge.question);
      if ('context' in challenge) await actor.page.getByLabel(actor.t('challengeForm.context')).fill(challenge.context);
      await actor.page.getByRole('button', { name: actor.t('challengeForm.submit') }).click();
      await actor.page.getByRole('status').filter({ hasText: actor.t('common.saved') }).waitFor();
    }

    for (const actor of all()) {
      await shown(actor, SESSION_TITLE);
      expect(await actor.page.title(), actor.label).toContain(SESSION_TITLE);
    }
    for (const actor of [facilitator, facilitatorNoCsp, board, boardNoCsp]) {
      await shown(actor, OWNER_NAME);
      await shown(actor, OTHER_NAME);
    }
    await expectInert('lobby');
  });

  it('challenges: titles and questions on the vote lists, the board and the console', async () => {
    await facilitator.page.getByRole('button', { name: facilitator.t('controls.startFocus') }).click();
    await expectPhase(facilitator.t('phases.choose'));
    await other.page.getByRole('button', { name: other.t('vote.castLabel', { title: OWNER_CHALLENGE.title }) }).click();
    await board.page.getByText(board.t('vote.count', { count: 1 })).first().waitFor();

    for (const actor of [owner, other]) {
      for (const c of [OWNER_CHALLENGE, OTHER_CHALLENGE]) {
        await shown(actor, c.title);
        await shown(actor, c.question);
      }
      await shown(actor, actor.t('challenge.by', { name: OWNER_NAME }));
      await shown(actor, actor.t('challenge.by', { name: OTHER_NAME }));
    }
    for (const actor of [facilitator, facilitatorNoCsp, board, boardNoCsp]) {
      await shown(actor, OWNER_CHALLENGE.title);
      await shown(actor, OTHER_CHALLENGE.title);
    }
    await expectInert('choose');

    await facilitator.page.getByRole('button', { name: facilitator.t('challenges.pickLabel', { title: OWNER_CHALLENGE.title }) }).click();
    await expectPhase(facilitator.t('phases.confirm'));
    await shown(other, other.t('confirm.waiting', { name: OWNER_NAME }));
    await owner.page.getByRole('button', { name: owner.t('confirm.button') }).click();
    await expectPhase(facilitator.t('phases.present'));
  });

  it('contributions, anonymous or named, in every phase that takes them', async () => {
    await post(other, 'question', QUESTION);
    await next();
    await expectPhase(facilitator.t('phases.clarify'));
    await next();
    await expectPhase(facilitator.t('phases.reflect'));
    await post(other, 'reflection', REFLECTION, true);
    await post(other, 'suggestion', SUGGESTION);
    for (const actor of all()) await expect.poll(() => actor.page.getByTestId('contribution').count(), { message: actor.label }).toBe(3);

    for (const actor of all()) {
      await shown(actor, OWNER_CHALLENGE.title);
      await shown(actor, OWNER_CHALLENGE.question);
      for (const text of [QUESTION, REFLECTION, SUGGESTION]) await shown(actor, text);
      // The facilitator console leaves the context out on purpose.
      if (actor !== facilitator && actor !== facilitatorNoCsp) await shown(actor, OWNER_CHALLENGE.context);
    }
    for (const actor of [facilitator, board, owner]) await shown(actor, actor.t('challenge.inFocus', { name: OWNER_NAME }));
    // The owner marks the suggestion useful (its text is in the button's surroundings, not its name).
    await owner.page.getByTestId('contribution').filter({ hasText: SUGGESTION }).getByRole('button', { name: owner.t('owner.markUseful') }).click();
    await board.page.getByTestId('contribution').filter({ hasText: SUGGESTION }).getByText(board.t('contribution.useful')).waitFor();
    await expectInert('reflect');
    for (const actor of all()) await shot(actor.page, `xss-reflect-${fileLabel(actor.label)}`);
  });

  it('next steps, a private note and an evaluation comment; the summary at the end', async () => {
    await next();
    await expectPhase(facilitator.t('phases.respond'));
    await next();
    await expectPhase(facilitator.t('phases.nextSteps'));
    await owner.page.getByLabel(owner.t('nextSteps.newLabel')).fill(NEXT_STEP);
    await owner.page.getByRole('button', { name: owner.t('nextSteps.add') }).click();
    await other.page.getByLabel(other.t('note.label')).fill(NOTE);
    await other.page.getByRole('button', { name: other.t('note.save') }).click();
    await other.page.getByRole('status').filter({ hasText: other.t('common.saved') }).waitFor();
    for (const actor of all()) await shown(actor, NEXT_STEP);
    await shown(other, other.t('nextSteps.heading', { name: OWNER_NAME }));
    await expectInert('next steps');

    await next();
    await expectPhase(facilitator.t('phases.evaluate'));
    const rate = async (actor: Actor, comment?: string) => {
      const { page, t } = actor;
      await page.getByRole('group', { name: t('evaluation.usefulness') }).getByRole('radio', { name: '4', exact: true }).check();
      await page.getByRole('group', { name: t('evaluation.process') }).getByRole('radio', { name: '5', exact: true }).check();
      if (comment) await page.getByLabel(t('evaluation.comment')).fill(comment);
      await page.getByRole('button', { name: t('evaluation.submit') }).click();
      await page.getByRole('status').filter({ hasText: t('evaluation.thanks') }).waitFor();
    };
    await rate(other, COMMENT);
    await rate(owner);
    await next();
    await expectPhase(facilitator.t('phases.ended'));

    // The facilitator reads the comment; the summaries repeat everything once more.
    for (const actor of [facilitator, facilitatorNoCsp]) await shown(actor, COMMENT);
    for (const actor of [owner, other]) {
      for (const text of [OWNER_CHALLENGE.title, OWNER_CHALLENGE.question, OWNER_CHALLENGE.context, NEXT_STEP, QUESTION, REFLECTION, SUGGESTION]) {
        await shown(actor, text);
      }
    }
    await shown(other, NOTE);
    await expectInert('ended');
    for (const actor of [facilitator, owner]) await shot(actor.page, `xss-ended-${fileLabel(actor.label)}`);
  });

  it('the pages with the CSP on reported no violation at all', async () => {
    for (const actor of withCsp()) expect(await cspViolations(actor.page), actor.label).toEqual([]);
  });
});
