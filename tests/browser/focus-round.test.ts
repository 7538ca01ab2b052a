import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Phase } from '@kollegium/shared';
import path from 'node:path';
import { ARTIFACTS, launchChromium, NARROW, PHONE, PROJECTOR } from '../support/browser.js';
import { startServer, type TestServer } from '../support/server.js';
import { capture, clockSeconds, closeActors, cspViolations, look, openActor, textOf, tr, type Actor, type Lang, stepsBuildOnEachOther } from './helpers.js';

/**
 * A whole focus round driven only through the UI: a facilitator on a laptop, the owner of the
 * chosen challenge on a phone, another participant in a narrow window beside a video call, and the
 * board on a projector. Screenshots land in tests/artifacts/focus-*.png.
 */

const LAPTOP = { width: 1366, height: 768 };

const TITLE = 'Leaders north — spring meeting';
const ADA = {
  name: 'Ada',
  title: 'Sick leave is rising in my team',
  question: 'How do I open the conversation without blaming anyone?',
  context: 'Ten people, two long-term sick leaves since January, a tired team.',
};
const BO = { name: 'Bo', title: 'A new budget model', question: 'How do I involve the staff early?' };
const QUESTION = 'How long has this been going on?';
const REFLECTION = 'I felt the same last spring; talking to each person alone first helped me.';
const SUGGESTION = 'Try a walk-and-talk with each person this week.';
const NEXT_STEP = 'Book a walk-and-talk with each team lead by Friday';
const OWNER_NOTE = 'Ask HR about the return-to-work plan';
const BO_NOTE = 'Private to Bo: my own team needs the same kind of check-in';
const COMMENT = 'Good pace, clear phases';
/** Minutes per phase, all different, so each phase's clock can be told apart. */
const MINUTES = { choose: 3, present: 4, clarify: 3, reflect: 6, respond: 2, nextSteps: 5, evaluate: 2 } as const;

let server: TestServer;
let browser: Browser;
let facilitator: Actor;
let board: Actor;
let owner: Actor;
let other: Actor;
let code = '';
let participantLink = '';
let boardLink = '';
let shot = 0;

/** tests/artifacts/focus-NN-<what>-<role>--{phone,projector}.png */
const shotName = (what: string, role: string) => `focus-${String(++shot).padStart(2, '0')}-${what}-${role}`;
const everyone = () => [facilitator, board, owner, other];

beforeAll(async () => {
  server = await startServer({ serveClient: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeActors([facilitator, board, owner, other]);
  await browser?.close();
  await server?.close();
});

stepsBuildOnEachOther();

/** Waits until every page shows `phase` (in its own language) and checks the clocks agree. */
async function expectRound(phase: Phase, minutes: number | null): Promise<void> {
  const actors = everyone();
  for (const actor of actors) {
    await expect
      .poll(() => textOf(actor.page, 'phase'), { timeout: 5000, message: `${actor.label} shows the ${phase} phase` })
      .toBe(tr(actor.lang, `phases.${phase}`));
  }
  const timers = await Promise.all(actors.map((a) => a.page.getByTestId('timer').allTextContents()));
  if (minutes === null) {
    expect(timers, 'no clock in this phase').toEqual(actors.map(() => []));
    return;
  }
  for (const [i, shown] of timers.entries()) {
    expect(shown, `${actors[i]!.label}'s timer`).toHaveLength(1);
    expect(shown[0], `${actors[i]!.label}'s timer`).toMatch(/^\d{1,3}:\d{2}$/);
  }
  const seconds = timers.map((t) => clockSeconds(t[0]!));
  expect(Math.max(...seconds) - Math.min(...seconds), `timers ${timers.join(' / ')}`).toBeLessThanOrEqual(2);
  // The minutes typed on the home page reached the clock (the phase started moments ago). The
  // clock rounds up and each page estimates the server's time to a few ms, so a clock read in the
  // first instant of a phase may show one second more than the duration.
  expect(Math.max(...seconds), `timers ${timers.join(' / ')}`).toBeLessThanOrEqual(minutes * 60 + 1);
  expect(Math.min(...seconds)).toBeGreaterThan(minutes * 60 - 60);
}

async function next(): Promise<void> {
  const button = facilitator.page.getByRole('button', { name: facilitator.t('controls.next'), exact: true });
  await button.click();
}

/** The contribution item on a page that holds `text`. */
const contribution = (page: Page, text: string) => page.getByTestId('contribution').filter({ hasText: text });

async function visibleText(page: Page, text: string): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor();
}

async function bodyText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

async function switchLanguage(actor: Actor, lang: Lang): Promise<void> {
  await actor.page.getByLabel(actor.t('language.label')).selectOption(lang);
  actor.lang = lang;
  await expect.poll(() => actor.page.evaluate(() => document.documentElement.lang)).toBe(lang);
}

describe('a focus round through the UI: facilitator, owner, another participant and the board', () => {
  it('the facilitator creates a session on the home page and finds the links in the console', async () => {
    facilitator = await openActor(browser, server.url, 'facilitator', LAPTOP);
    const { page, t } = facilitator;
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: t('home.title') }).waitFor();
    await look([{ actor: facilitator, name: shotName('home', 'facilitator') }]);

    await page.getByLabel(t('home.sessionTitle')).fill(TITLE);
    await page.getByRole('radio', { name: t('formats.focus') }).check();
    for (const [phase, minutes] of Object.entries(MINUTES)) {
      await page.getByLabel(t(`phases.${phase}`), { exact: true }).fill(String(minutes));
    }
    await page.getByLabel(t('home.dots')).fill('3');
    await page.getByRole('button', { name: t('home.create') }).click();

    await page.waitForURL(/\/facilitate\/[A-Z0-9]{6}$/);
    // The key left the address bar (the console may be projected).
    expect(new URL(page.url()).hash).toBe('');
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();

    participantLink = await page.getByLabel(t('share.participantLink')).inputValue();
    expect(participantLink).toMatch(new RegExp(`^${server.url}/join/[23456789A-HJ-NP-Z]{6}$`));
    code = participantLink.split('/').pop()!;
    await page.getByText(code, { exact: true }).waitFor();
    boardLink = (await page.getByRole('link', { name: t('share.openBoard') }).getAttribute('href')) ?? '';
    expect(boardLink).toMatch(new RegExp(`^${server.url}/board/${code}#key=.+`));
    // The same link the creation response left in this tab's sessionStorage.
    const stored = await page.evaluate((c) => sessionStorage.getItem(`kollegium.links.${c}`), code);
    expect(new URL(JSON.parse(stored ?? '{}').board as string, server.url).href).toBe(boardLink);
  });

  it('the board opens from the share panel and shows the join code and a QR image', async () => {
    board = await openActor(browser, server.url, 'board', PROJECTOR);
    await board.page.goto(boardLink);
    await board.page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(new URL(board.page.url()).hash).toBe('');
    expect(await textOf(board.page, 'join-code')).toBe(code);
    const qr = board.page.getByRole('img', { name: board.t('board.qrLabel', { url: participantLink }) });
    await qr.waitFor({ state: 'visible' });
    expect((await qr.locator('path').getAttribute('d'))?.length ?? 0).toBeGreaterThan(500);
    const box = await qr.boundingBox();
    // Big enough to scan from a few rows back.
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(200);
  });

  it('two participants join through /join/CODE and submit their challenges', async () => {
    owner = await openActor(browser, server.url, 'owner', PHONE, { isMobile: true });
    other = await openActor(browser, server.url, 'other', NARROW);

    const join = async (actor: Actor, person: { name: string; title: string; question: string; context?: string }, first: boolean) => {
      const { page, t } = actor;
      await page.goto(participantLink);
      await page.getByRole('heading', { level: 1, name: t('join.titleWith', { title: TITLE }) }).waitFor();
      if (first) await look([{ actor, name: shotName('join', actor.label) }]);
      await page.getByLabel(t('join.nameLabel')).fill(person.name);
      await page.getByRole('button', { name: t('join.join'), exact: true }).click();
      await page.waitForURL(`${server.url}/s/${code}`);
      await visibleText(page, t('participant.signedInAs', { name: person.name }));
      if (first) await look([{ actor, name: shotName('lobby', actor.label) }]);
      await page.getByLabel(t('challengeForm.title')).fill(person.title);
      await page.getByLabel(t('challengeForm.question')).fill(person.question);
      if (person.context) await page.getByLabel(t('challengeForm.context')).fill(person.context);
      await page.getByRole('button', { name: t('challengeForm.submit') }).click();
      await page.getByRole('status').filter({ hasText: t('common.saved') }).waitFor();
    };
    await join(owner, ADA, true);
    await join(other, BO, false);

    // Everyone sees who is here.
    await visibleText(facilitator.page, facilitator.t('participants.count', { count: 2, online: 2 }));
    await visibleText(facilitator.page, facilitator.t('challenges.heading', { count: 2 }));
    for (const name of [ADA.name, BO.name]) await board.page.getByRole('list', { name: board.t('participants.listLabel') }).getByText(name, { exact: true }).waitFor();
    await expectRound('lobby', null);
    await look([
      { actor: facilitator, name: shotName('lobby', 'facilitator') },
      { actor: board, name: shotName('lobby', 'board') },
      { actor: other, name: shotName('lobby', 'other') },
    ]);
  });

  it('the facilitator starts, the group votes with dots, the facilitator picks and the owner confirms', async () => {
    await facilitator.page.getByRole('button', { name: facilitator.t('controls.startFocus') }).click();
    await expectRound('choose', MINUTES.choose);

    const vote = (actor: Actor, title: string) => actor.page.getByRole('button', { name: actor.t('vote.castLabel', { title }) }).click();
    await vote(other, ADA.title);
    await other.page.getByText(other.t('vote.dotsLeft', { count: 2, total: 3 })).waitFor();
    await vote(other, ADA.title);
    await other.page.getByText(other.t('vote.dotsLeft', { count: 1, total: 3 })).waitFor();
    await vote(owner, BO.title);
    await owner.page.getByText(owner.t('vote.dotsLeft', { count: 2, total: 3 })).waitFor();
    // The counts reach the board live, top-voted first.
    const votes = board.page.getByRole('list', { name: board.t('challenges.listLabel') }).getByRole('listitem');
    await votes.filter({ hasText: ADA.title }).getByText(board.t('vote.count', { count: 2 })).waitFor();
    await votes.filter({ hasText: BO.title }).getByText(board.t('vote.count', { count: 1 })).waitFor();
    expect(await votes.first().textContent()).toContain(ADA.title);
    await look([
      { actor: facilitator, name: shotName('choose', 'facilitator') },
      { actor: board, name: shotName('choose', 'board') },
      { actor: owner, name: shotName('choose', 'owner') },
      { actor: other, name: shotName('choose', 'other') },
    ]);

    await facilitator.page.getByRole('button', { name: facilitator.t('challenges.pickLabel', { title: ADA.title }) }).click();
    await expectRound('confirm', MINUTES.choose);
    await visibleText(other.page, other.t('confirm.waiting', { name: ADA.name }));
    await visibleText(facilitator.page, facilitator.t('controls.waitingConfirm', { name: ADA.name }));
    await board.page.getByRole('heading', { name: ADA.title }).waitFor();
    const confirm = owner.page.getByRole('button', { name: owner.t('confirm.button') });
    await confirm.waitFor();
    await look([
      { actor: facilitator, name: shotName('confirm', 'facilitator') },
      { actor: board, name: shotName('confirm', 'board') },
      { actor: owner, name: shotName('confirm', 'owner') },
      { actor: other, name: shotName('confirm', 'other') },
    ]);
    await confirm.click();
    await expectRound('present', MINUTES.present);
  });

  it('present: a question arrives everywhere; two people switch language (Danish, Norwegian bokmål)', async () => {
    const { page, t } = other;
    expect(await page.getByRole('radio', { name: t('kinds.question') }).isChecked()).toBe(true);
    const box = page.getByLabel(t('composer.text'));
    await box.fill(QUESTION);
    await page.getByRole('button', { name: t('composer.post') }).click();
    await expect.poll(() => box.inputValue()).toBe('');
    for (const actor of [board, facilitator, owner]) await contribution(actor.page, QUESTION).waitFor();
    // The clocks run.
    const started = clockSeconds((await textOf(board.page, 'timer')) ?? '0:00');
    await expect.poll(async () => clockSeconds((await textOf(board.page, 'timer')) ?? '9:99'), { timeout: 3000 }).toBeLessThan(started);
    await look([
      { actor: facilitator, name: shotName('present', 'facilitator') },
      { actor: board, name: shotName('present', 'board') },
      { actor: owner, name: shotName('present', 'owner') },
      { actor: other, name: shotName('present', 'other') },
    ]);

    await switchLanguage(owner, 'da');
    await switchLanguage(other, 'nb');
    // Translated phase names, read from the locale files (e.g. "Præsentation", "Presentasjon").
    expect(tr('da', 'phases.present')).not.toBe(tr('en', 'phases.present'));
    expect(tr('nb', 'phases.present')).not.toBe(tr('en', 'phases.present'));
    await expectRound('present', MINUTES.present);
    await owner.page.getByText(owner.t('hints.owner.present')).waitFor();
    await other.page.getByRole('heading', { name: other.t('composer.heading') }).waitFor();
    await look([
      { actor: owner, name: shotName('present-da', 'owner') },
      { actor: other, name: shotName('present-nb', 'other') },
    ]);
  });

  it('clarify, with the clock paused and resumed on every screen at once', async () => {
    await next();
    await expectRound('clarify', MINUTES.clarify);
    await other.page.getByText(other.t('hints.other.clarify')).waitFor();

    await facilitator.page.getByRole('button', { name: facilitator.t('controls.pause') }).click();
    for (const actor of everyone()) await actor.page.getByRole('timer', { name: actor.t('timer.paused') }).waitFor();
    const paused = await Promise.all(everyone().map((a) => textOf(a.page, 'timer')));
    expect(new Set(paused).size, `paused clocks ${paused.join(' / ')}`).toBe(1);
    await facilitator.page.getByRole('button', { name: facilitator.t('controls.resume') }).click();
    for (const actor of everyone()) await actor.page.getByRole('timer', { name: actor.t('timer.remaining') }).waitFor();
    await expectRound('clarify', MINUTES.clarify);
    await look([
      { actor: facilitator, name: shotName('clarify', 'facilitator') },
      { actor: board, name: shotName('clarify', 'board') },
      { actor: owner, name: shotName('clarify', 'owner') },
      { actor: other, name: shotName('clarify', 'other') },
    ]);
  });

  it('reflect: an anonymous reflection and a named suggestion appear live; the owner marks the suggestion useful', async () => {
    await next();
    await expectRound('reflect', MINUTES.reflect);
    const { page, t } = other;
    const box = page.getByLabel(t('composer.text'));
    const anonymous = page.getByLabel(t('composer.anonymous'));

    await page.getByRole('radio', { name: t('kinds.reflection') }).check();
    await box.fill(REFLECTION);
    await anonymous.check();
    await page.getByRole('button', { name: t('composer.post') }).click();
    await expect.poll(() => box.inputValue()).toBe('');

    await page.getByRole('radio', { name: t('kinds.suggestion') }).check();
    await box.fill(SUGGESTION);
    await anonymous.uncheck();
    await page.getByRole('button', { name: t('composer.post') }).click();
    await expect.poll(() => box.inputValue()).toBe('');

    // Live on the board, the anonymous one without a name anywhere but on its author's screen.
    for (const actor of [board, facilitator, owner]) {
      const reflection = contribution(actor.page, REFLECTION);
      await reflection.getByText(actor.t('contribution.anonymous'), { exact: true }).waitFor();
      expect(await reflection.textContent()).not.toContain(BO.name);
      await contribution(actor.page, SUGGESTION).getByText(BO.name, { exact: true }).waitFor();
    }
    await contribution(page, REFLECTION).getByText(t('contribution.youAnonymous'), { exact: true }).waitFor();
    await contribution(page, SUGGESTION).getByText(t('contribution.you'), { exact: true }).waitFor();
    expect(await board.page.getByTestId('contribution').count()).toBe(3);
    expect(await textOf(board.page, 'join-code')).toBe(code);
    await board.page.getByRole('img', { name: board.t('board.qrLabel', { url: participantLink }) }).waitFor({ state: 'visible' });

    // The owner (in Danish) marks the suggestion useful; the board shows it.
    const useful = contribution(owner.page, SUGGESTION).getByRole('button', { name: owner.t('owner.markUseful') });
    await useful.click();
    await expect.poll(() => useful.getAttribute('aria-pressed')).toBe('true');
    await contribution(board.page, SUGGESTION).getByText(board.t('contribution.useful')).waitFor();
    await contribution(other.page, SUGGESTION).getByText(other.t('contribution.useful')).waitFor();
    await look([
      { actor: facilitator, name: shotName('reflect', 'facilitator') },
      { actor: board, name: shotName('reflect', 'board') },
      { actor: owner, name: shotName('reflect', 'owner') },
      { actor: other, name: shotName('reflect', 'other') },
    ]);
  });

  it('respond', async () => {
    await next();
    await expectRound('respond', MINUTES.respond);
    await owner.page.getByText(owner.t('hints.owner.respond')).waitFor();
    await look([
      { actor: facilitator, name: shotName('respond', 'facilitator') },
      { actor: board, name: shotName('respond', 'board') },
      { actor: owner, name: shotName('respond', 'owner') },
      { actor: other, name: shotName('respond', 'other') },
    ]);
  });

  it('next steps: the owner commits, everyone keeps a private note; the owner looks at the summary', async () => {
    await next();
    await expectRound('nextSteps', MINUTES.nextSteps);

    const step = owner.page.getByLabel(owner.t('nextSteps.newLabel'));
    await step.fill(NEXT_STEP);
    await owner.page.getByRole('button', { name: owner.t('nextSteps.add') }).click();
    await expect.poll(() => step.inputValue()).toBe('');
    for (const actor of [board, facilitator, other]) {
      await actor.page.getByRole('list', { name: actor.t('nextSteps.listLabel') }).getByText(NEXT_STEP).waitFor();
    }

    const note = async (actor: Actor, text: string) => {
      await actor.page.getByLabel(actor.t('note.label')).fill(text);
      await actor.page.getByRole('button', { name: actor.t('note.save') }).click();
      await actor.page.getByRole('status').filter({ hasText: actor.t('common.saved') }).waitFor();
    };
    await note(other, BO_NOTE);
    await note(owner, OWNER_NOTE);
    // A private note stays with its author: not on the owner's phone, the console or the board.
    for (const actor of [owner, facilitator, board]) expect(await bodyText(actor.page)).not.toContain(BO_NOTE);
    for (const actor of [other, facilitator, board]) expect(await bodyText(actor.page)).not.toContain(OWNER_NOTE);

    await look([
      { actor: facilitator, name: shotName('nextsteps', 'facilitator') },
      { actor: board, name: shotName('nextsteps', 'board') },
      { actor: owner, name: shotName('nextsteps', 'owner') },
      { actor: other, name: shotName('nextsteps', 'other') },
    ]);

    // The owner can open the summary during the round and go back to it.
    const open = owner.page.getByRole('button', { name: owner.t('summary.open'), exact: true });
    await open.click();
    const summary = owner.page.getByRole('region', { name: owner.t('summary.title') });
    await summary.getByRole('heading', { name: ADA.title }).waitFor();
    await summary.getByRole('list', { name: owner.t('summary.useful') }).getByText(SUGGESTION).waitFor();
    await summary.getByText(NEXT_STEP).waitFor();
    await look([{ actor: owner, name: shotName('nextsteps-summary', 'owner') }]);
    await owner.page.getByRole('button', { name: owner.t('summary.backToRound') }).click();
    await owner.page.getByLabel(owner.t('nextSteps.newLabel')).waitFor();
  });

  it('evaluate: both participants rate the round', async () => {
    await next();
    await expectRound('evaluate', MINUTES.evaluate);

    const rate = async (actor: Actor, usefulness: number, process: number, comment?: string) => {
      const { page, t } = actor;
      await page.getByRole('group', { name: t('evaluation.usefulness') }).getByRole('radio', { name: String(usefulness), exact: true }).check();
      await page.getByRole('group', { name: t('evaluation.process') }).getByRole('radio', { name: String(process), exact: true }).check();
      if (comment) await page.getByLabel(t('evaluation.comment')).fill(comment);
      await page.getByRole('button', { name: t('evaluation.submit') }).click();
      await page.getByRole('status').filter({ hasText: t('evaluation.thanks') }).waitFor();
    };
    await rate(owner, 5, 4);
    await rate(other, 4, 3, COMMENT);

    await expect.poll(() => textOf(facilitator.page, 'evaluation-count')).toBe('2');
    expect(await textOf(facilitator.page, 'evaluation-usefulness')).toBe((4.5).toLocaleString('en', { minimumFractionDigits: 1 }));
    expect(await textOf(facilitator.page, 'evaluation-process')).toBe((3.5).toLocaleString('en', { minimumFractionDigits: 1 }));
    await facilitator.page.getByRole('list', { name: facilitator.t('evaluation.comments') }).getByText(COMMENT).waitFor();
    await board.page.getByRole('definition').filter({ hasText: /^2$/ }).waitFor();
    await look([
      { actor: facilitator, name: shotName('evaluate', 'facilitator') },
      { actor: board, name: shotName('evaluate', 'board') },
      { actor: owner, name: shotName('evaluate', 'owner') },
      { actor: other, name: shotName('evaluate', 'other') },
    ]);
  });

  it('ended: the owner downloads the Markdown summary and has a print view', async () => {
    await next();
    await expectRound('ended', null);
    const { page, t } = owner;
    const summary = page.getByRole('region', { name: t('summary.title') });
    await summary.getByRole('heading', { name: ADA.title }).waitFor();
    await summary.getByRole('list', { name: t('summary.useful') }).getByText(SUGGESTION).waitFor();
    await summary.getByText(OWNER_NOTE).waitFor();
    // The other participant's summary of the same challenge carries their own note, not the owner's.
    const theirs = other.page.getByRole('region', { name: other.t('summary.title') });
    await theirs.getByText(BO_NOTE).waitFor();
    expect(await bodyText(other.page)).not.toContain(OWNER_NOTE);
    expect(await bodyText(page)).not.toContain(BO_NOTE);

    const [download] = await Promise.all([page.waitForEvent('download'), summary.getByRole('button', { name: t('summary.download') }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const markdown = fs.readFileSync(await download.path(), 'utf8');
    expect(markdown).toContain(`# ${ADA.title}`);
    expect(markdown).toContain(NEXT_STEP);
    expect(markdown).toContain(SUGGESTION);
    const usefulSection = markdown.split(`## ${t('summary.useful')}`)[1]?.split('\n## ')[0] ?? '';
    expect(usefulSection, 'the suggestion is listed as useful').toContain(SUGGESTION);
    expect(usefulSection).not.toContain(QUESTION);
    expect(markdown).toContain(OWNER_NOTE);
    expect(markdown).not.toContain(BO_NOTE);
    fs.writeFileSync(path.join(ARTIFACTS, 'focus-summary-owner.md'), markdown);

    await look([
      { actor: facilitator, name: shotName('ended', 'facilitator') },
      { actor: board, name: shotName('ended', 'board') },
      { actor: owner, name: shotName('ended-summary', 'owner') },
      { actor: other, name: shotName('ended-summary', 'other') },
    ]);

    // Print: the button calls the browser's print dialog; print media hides the controls.
    const print = summary.getByRole('button', { name: t('summary.print') });
    await page.evaluate(() => {
      const w = window as unknown as { __printed: number };
      w.__printed = 0;
      window.print = () => {
        w.__printed++;
      };
    });
    await print.click();
    expect(await page.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await print.isVisible()).toBe(false);
      expect(await summary.getByRole('button', { name: t('summary.download') }).isVisible()).toBe(false);
      expect(await summary.getByRole('heading', { name: ADA.title }).isVisible()).toBe(true);
      expect(await summary.getByText(NEXT_STEP).isVisible()).toBe(true);
      await capture(page, shotName('summary-print', 'owner'));
      await page.pdf({ path: path.join(ARTIFACTS, 'focus-summary-print-owner.pdf'), format: 'A4' });
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('no page asked any other host for anything, and nothing failed in a page', async () => {
    for (const actor of everyone()) {
      expect(actor.foreign, `${actor.label}: requests to other hosts`).toEqual([]);
      expect(actor.errors, `${actor.label}: errors in the page`).toEqual([]);
      expect(await cspViolations(actor.page), `${actor.label}: CSP violations`).toEqual([]);
    }
  });
});
