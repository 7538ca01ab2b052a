import { describe, expect, it } from 'vitest';
import { summaryMarkdown, viewFor, type SummaryLabels, type Viewer } from '../src/index.js';
import { as, FACILITATOR, MIN, roundInput, Sim } from './helpers.js';

const LABELS: SummaryLabels = {
  summary: 'Summary',
  question: 'Question',
  context: 'Context',
  contributions: 'Contributions',
  useful: 'Most useful',
  nextSteps: 'Next steps',
  myNotes: 'My notes',
  none: 'None',
  anonymous: 'anonymous',
  'kind.question': 'Question',
  'kind.reflection': 'Reflection',
  'kind.suggestion': 'Suggestion',
};

/** The lines under a `## heading`, up to the next heading. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== '');
}

/** A focus round on Ada's challenge, played to nextSteps. */
function playedRound(overrides: Parameters<typeof roundInput>[1] = {}) {
  const sim = new Sim(roundInput('focus', overrides));
  const ada = sim.join('Ada');
  const ben = sim.join('Ben');
  const cy = sim.join('Cy');
  sim.send('challenge:submit', { title: 'Team is tired', context: 'Since the merger\nmorale is low', question: 'How do I restore energy?' }, as(ada), { id: 'c-ada' });
  sim.submit(cy, 'New budget', 'c-cy');
  sim.start();
  sim.send('challenge:pick', { challengeId: 'c-ada' }, FACILITATOR);
  sim.send('challenge:confirm', {}, as(ada));
  sim.send('contribution:add', { kind: 'question', text: 'How long\nhas it been?', anonymous: false }, as(ben), { id: 'k-q' });
  sim.tick(MIN).next(); // clarify
  sim.tick(MIN).next(); // reflect
  sim.send('contribution:add', { kind: 'reflection', text: 'Celebrate small wins', anonymous: false }, as(ben), { id: 'k-named' });
  sim.send('contribution:add', { kind: 'suggestion', text: 'Ask the team directly', anonymous: true }, as(cy), { id: 'k-anon' });
  sim.send('contribution:add', { kind: 'reflection', text: 'Sarcastic remark', anonymous: false }, as(cy), { id: 'k-hidden' });
  sim.send('contribution:add', { kind: 'reflection', text: 'Plain reflection', anonymous: false }, as(ben), { id: 'k-plain' });
  if (overrides.hideUntilReveal) sim.send('round:reveal', {}, FACILITATOR);
  sim.send('contribution:hide', { contributionId: 'k-hidden', hidden: true }, FACILITATOR);
  sim.tick(MIN).next(); // respond
  sim.send('contribution:markUseful', { contributionId: 'k-named', useful: true }, as(ada));
  sim.send('contribution:markUseful', { contributionId: 'k-anon', useful: true }, as(ada));
  sim.send('contribution:markUseful', { contributionId: 'k-hidden', useful: true }, as(ada));
  sim.tick(MIN).next(); // nextSteps
  sim.send('nextStep:add', { text: 'Hold a retro on Friday' }, as(ada));
  sim.send('nextStep:add', { text: 'Talk to HR' }, as(ada));
  sim.send('note:set', { challengeId: 'c-ada', text: 'Remember: energy first' }, as(ada));
  sim.send('note:set', { challengeId: 'c-ada', text: 'Cy private thought' }, as(cy));
  return { sim, ada, ben, cy };
}

const md = (sim: Sim, viewer: Viewer, challengeId = 'c-ada') => summaryMarkdown(viewFor(sim.state, viewer), challengeId, LABELS);

describe('summaryMarkdown', () => {
  it('has the title, question and context, next steps as checkboxes, useful contributions and the viewer’s notes', () => {
    const { sim, ada } = playedRound();
    const out = md(sim, { role: 'participant', participantId: ada });
    const lines = out.split('\n');
    expect(lines[0]).toBe('# Team is tired');
    expect(out).toContain('_Leader network, spring — Summary_');
    expect(lines).toContain('**Question:** How do I restore energy?');
    expect(lines).toContain('**Context:** Since the merger morale is low'); // one line
    expect(section(out, 'Next steps')).toEqual(['- [ ] Hold a retro on Friday', '- [ ] Talk to HR']);
    expect(section(out, 'Most useful')).toEqual([
      '- **Reflection** — Celebrate small wins _(Ben)_',
      '- **Suggestion** — Ask the team directly _(anonymous)_',
    ]);
    expect(section(out, 'Contributions')).toEqual([
      '- **Question** — How long has it been? _(Ben)_',
      '- **Reflection** — Celebrate small wins _(Ben)_',
      '- **Suggestion** — Ask the team directly _(anonymous)_',
      '- **Reflection** — Plain reflection _(Ben)_',
    ]);
    expect(section(out, 'My notes')).toEqual(['Remember: energy first']);
  });

  it('never includes hidden contributions, not even from the facilitator’s view, nor anyone else’s notes', () => {
    const { sim, ada, cy } = playedRound();
    for (const viewer of [{ role: 'facilitator' }, { role: 'board' }, { role: 'participant', participantId: ada }] as Viewer[]) {
      const out = md(sim, viewer);
      expect(out, viewer.role).not.toContain('Sarcastic remark');
      expect(out).not.toContain('Cy private thought');
      expect(out).toContain('Celebrate small wins');
    }
    // The facilitator's view does carry the hidden one; the summary leaves it out.
    expect(viewFor(sim.state, { role: 'facilitator' }).contributions.some((c) => c.id === 'k-hidden')).toBe(true);
    // Cy's summary has Cy's note and not Ada's; Cy's own anonymous contribution carries Cy's name for Cy.
    const cys = md(sim, { role: 'participant', participantId: cy });
    expect(section(cys, 'My notes')).toEqual(['Cy private thought']);
    expect(cys).not.toContain('energy first');
    expect(cys).toContain('Ask the team directly _(Cy)_');
    // Without notes there is no notes section.
    expect(md(sim, { role: 'board' })).not.toContain('## My notes');
  });

  it('keeps held reflections out until they are revealed', () => {
    const { sim, ada } = playedRound({ hideUntilReveal: true });
    expect(md(sim, { role: 'participant', participantId: ada })).toContain('Plain reflection');

    const held = new Sim(roundInput('focus', { hideUntilReveal: true }));
    const owner = held.join('Ada');
    const ben = held.join('Ben');
    held.submit(owner, 'Held round', 'c-held');
    held.start();
    held.send('challenge:pick', {}, FACILITATOR);
    held.send('challenge:confirm', {}, as(owner));
    held.next().next();
    held.send('contribution:add', { kind: 'reflection', text: 'Not yet revealed', anonymous: false }, as(ben));
    const ownerSummary = () => md(held, { role: 'participant', participantId: owner }, 'c-held');
    expect(ownerSummary()).not.toContain('Not yet revealed');
    expect(section(ownerSummary(), 'Contributions')).toEqual(['- None']);
    held.send('round:reveal', {}, FACILITATOR);
    expect(ownerSummary()).toContain('Not yet revealed _(Ben)_');
  });

  it('says none where there is nothing, and is empty for an unknown challenge', () => {
    const { sim, ada } = playedRound();
    const other = md(sim, { role: 'participant', participantId: ada }, 'c-cy');
    expect(other.split('\n')[0]).toBe('# New budget');
    expect(section(other, 'Next steps')).toEqual(['- None']);
    expect(section(other, 'Most useful')).toEqual(['- None']);
    expect(section(other, 'Contributions')).toEqual(['- None']);
    expect(other).not.toContain('Hold a retro');
    expect(md(sim, { role: 'facilitator' }, 'c-missing')).toBe('');
  });
});
