/**
 * viewFor decides what each role receives. Five viewers throughout: the facilitator, the owner of
 * the challenge in focus, the author of the contributions under test, another participant, and
 * the board.
 */
import { describe, expect, it } from 'vitest';
import { viewFor, type ContributionView, type RoleView, type Viewer } from '../src/index.js';
import { as, FACILITATOR, MIN, roundInput, Sim } from './helpers.js';

// Distinctive, so a substring search cannot hit anything else by accident.
const AUTHOR_NAME = 'Benedikt Quistgaard';
const AUTHOR_ID = 'p-author-7f3a9c';

type Who = 'facilitator' | 'owner' | 'author' | 'other' | 'board';
const WHO: Who[] = ['facilitator', 'owner', 'author', 'other', 'board'];

/**
 * A focus round in `present` on Ada's challenge. The author (Benedikt) has no challenge of his
 * own and has placed no dots, so outside the participants list nothing but his contributions
 * could link to him.
 */
function round(overrides: Parameters<typeof roundInput>[1] = {}) {
  const sim = new Sim(roundInput('focus', overrides));
  const owner = sim.join('Ada');
  const author = sim.join(AUTHOR_NAME, AUTHOR_ID);
  const other = sim.join('Cy');
  const ownerC = sim.submit(owner, 'Team is tired');
  const otherC = sim.submit(other, 'New budget');
  sim.tick(MIN).start();
  sim.send('challenge:pick', { challengeId: ownerC }, FACILITATOR);
  sim.send('challenge:confirm', {}, as(owner));
  const viewers: Record<Who, Viewer> = {
    facilitator: { role: 'facilitator' },
    owner: { role: 'participant', participantId: owner },
    author: { role: 'participant', participantId: author },
    other: { role: 'participant', participantId: other },
    board: { role: 'board' },
  };
  const views = () => Object.fromEntries(WHO.map((w) => [w, viewFor(sim.state, viewers[w])])) as Record<Who, RoleView>;
  const toReflect = () => {
    sim.tick(MIN).next(); // clarify
    sim.tick(MIN).next(); // reflect
    expect(sim.phase).toBe('reflect');
  };
  return { sim, owner, author, other, ownerC, otherC, viewers, views, toReflect };
}

const ids = (view: RoleView) => view.contributions.map((c) => c.id);
const find = (view: RoleView, id: string) => view.contributions.find((c) => c.id === id);

describe('anonymous contributions', () => {
  it('carry no author to anyone but their author', () => {
    const r = round({ allowAnonymous: true });
    r.sim.send('contribution:add', { kind: 'question', text: 'Have you asked them?', anonymous: true }, as(r.author), { id: 'k-anon' });
    r.sim.send('contribution:add', { kind: 'question', text: 'Named question', anonymous: false }, as(r.other), { id: 'k-named' });
    const views = r.views();
    for (const who of WHO) {
      const view = views[who];
      const c = find(view, 'k-anon');
      expect(c, who).toBeDefined();
      expect(c!.anonymous).toBe(true);
      expect(c!.text).toBe('Have you asked them?');
      if (who === 'author') {
        expect(c).toMatchObject({ authorId: AUTHOR_ID, authorName: AUTHOR_NAME, mine: true });
      } else {
        expect(c).toMatchObject({ authorId: null, authorName: null, mine: false });
        const wire = JSON.stringify(view.contributions);
        expect(wire).not.toContain(AUTHOR_ID);
        expect(wire).not.toContain(AUTHOR_NAME);
        // Nothing else in the view links to the author either; only the participants list names him.
        const { participants, ...rest } = view;
        expect(participants.map((p) => p.id)).toContain(AUTHOR_ID);
        expect(JSON.stringify(rest)).not.toContain(AUTHOR_ID);
        expect(JSON.stringify(rest)).not.toContain(AUTHOR_NAME);
      }
      // Named contributions stay named for everyone.
      expect(find(view, 'k-named')).toMatchObject({ authorId: r.other, authorName: 'Cy', anonymous: false });
    }
  });

  it('stay anonymous after being marked useful, hidden or revealed', () => {
    const r = round({ hideUntilReveal: true });
    r.toReflect();
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Anon reflection', anonymous: true }, as(r.author), { id: 'k-anon' });
    r.sim.send('round:reveal', {}, FACILITATOR);
    r.sim.send('contribution:markUseful', { contributionId: 'k-anon', useful: true }, as(r.owner));
    r.sim.send('contribution:hide', { contributionId: 'k-anon', hidden: true }, FACILITATOR);
    const views = r.views();
    expect(find(views.facilitator, 'k-anon')).toMatchObject({ authorId: null, authorName: null, useful: true, hidden: true });
    expect(JSON.stringify(views.facilitator.contributions)).not.toContain(AUTHOR_ID);
    expect(find(views.author, 'k-anon')).toMatchObject({ authorId: AUTHOR_ID, mine: true });
  });
});

describe('reflections held until reveal', () => {
  it('reach only their author (not the facilitator, not the board) and are counted for the others', () => {
    const r = round({ hideUntilReveal: true });
    // Before reflect: questions are not held.
    r.sim.send('contribution:add', { kind: 'question', text: 'Early question', anonymous: false }, as(r.author), { id: 'k-q' });
    r.toReflect();
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Held A', anonymous: false }, as(r.author), { id: 'k-held-a' });
    r.sim.send('contribution:add', { kind: 'suggestion', text: 'Held B', anonymous: true }, as(r.author), { id: 'k-held-b' });
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Held C', anonymous: false }, as(r.other), { id: 'k-held-c' });

    const views = r.views();
    expect(ids(views.author)).toEqual(['k-q', 'k-held-a', 'k-held-b']);
    expect(find(views.author, 'k-held-a')?.held).toBe(true);
    expect(views.author.heldCount).toBe(1); // Cy's
    expect(ids(views.other)).toEqual(['k-q', 'k-held-c']);
    expect(views.other.heldCount).toBe(2);
    for (const who of ['facilitator', 'owner', 'board'] as const) {
      expect(ids(views[who]), who).toEqual(['k-q']);
      expect(views[who].heldCount, who).toBe(3);
      expect(JSON.stringify(views[who])).not.toContain('Held ');
    }
    for (const who of WHO) {
      expect(views[who].revealed).toBe(false);
      expect(find(views[who], 'k-q')?.held).toBe(false);
    }

    r.sim.send('round:reveal', {}, FACILITATOR);
    const after = r.views();
    for (const who of WHO) {
      expect(ids(after[who]), who).toEqual(['k-q', 'k-held-a', 'k-held-b', 'k-held-c']);
      expect(after[who].heldCount).toBe(0);
      expect(after[who].revealed).toBe(true);
      expect(after[who].contributions.every((c) => !c.held)).toBe(true);
    }
    // Revealing does not undo anonymity.
    expect(find(after.board, 'k-held-b')).toMatchObject({ authorId: null, authorName: null });
  });

  it('a held reflection the facilitator hid is neither shown nor counted', () => {
    const r = round({ hideUntilReveal: true });
    r.toReflect();
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Fine', anonymous: false }, as(r.author), { id: 'k-fine' });
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Rude', anonymous: false }, as(r.other), { id: 'k-rude' });
    r.sim.send('contribution:hide', { contributionId: 'k-rude', hidden: true }, FACILITATOR);
    let views = r.views();
    expect(views.owner.heldCount).toBe(1);
    expect(views.facilitator.heldCount).toBe(1);
    expect(ids(views.facilitator)).toEqual([]);
    expect(ids(views.other)).toEqual(['k-rude']); // the author still sees their own
    r.sim.send('round:reveal', {}, FACILITATOR);
    views = r.views();
    expect(ids(views.facilitator)).toEqual(['k-fine', 'k-rude']);
    expect(ids(views.owner)).toEqual(['k-fine']);
    expect(ids(views.board)).toEqual(['k-fine']);
  });

  it('without hideUntilReveal nothing is held', () => {
    const r = round({ hideUntilReveal: false });
    r.toReflect();
    r.sim.send('contribution:add', { kind: 'reflection', text: 'Open', anonymous: false }, as(r.author), { id: 'k-open' });
    for (const view of Object.values(r.views())) {
      expect(ids(view)).toEqual(['k-open']);
      expect(view.heldCount).toBe(0);
      expect(find(view, 'k-open')?.held).toBe(false);
    }
  });
});

describe('contributions hidden by the facilitator', () => {
  it('reach only the facilitator and their author, until unhidden', () => {
    const r = round();
    r.sim.send('contribution:add', { kind: 'question', text: 'Off topic', anonymous: false }, as(r.author), { id: 'k-off' });
    r.sim.send('contribution:add', { kind: 'question', text: 'On topic', anonymous: false }, as(r.other), { id: 'k-on' });
    r.sim.send('contribution:hide', { contributionId: 'k-off', hidden: true }, FACILITATOR);
    let views = r.views();
    expect(find(views.facilitator, 'k-off')?.hidden).toBe(true);
    expect(find(views.author, 'k-off')).toMatchObject({ hidden: true, mine: true });
    for (const who of ['owner', 'other', 'board'] as const) {
      expect(ids(views[who]), who).toEqual(['k-on']);
      expect(JSON.stringify(views[who])).not.toContain('Off topic');
    }
    r.sim.send('contribution:hide', { contributionId: 'k-off', hidden: false }, FACILITATOR);
    views = r.views();
    for (const who of WHO) expect(ids(views[who]), who).toEqual(['k-off', 'k-on']);
  });
});

describe('private notes', () => {
  it('reach only their author', () => {
    const r = round();
    r.sim.send('note:set', { challengeId: r.ownerC, text: 'Author note' }, as(r.author));
    r.sim.send('note:set', { challengeId: r.ownerC, text: 'Other note' }, as(r.other));
    r.sim.send('note:set', { challengeId: r.otherC, text: 'Owner note' }, as(r.owner));
    const views = r.views();
    expect(views.author.notes).toEqual([{ participantId: r.author, challengeId: r.ownerC, text: 'Author note' }]);
    expect(views.other.notes.map((n) => n.text)).toEqual(['Other note']);
    expect(views.owner.notes.map((n) => n.text)).toEqual(['Owner note']);
    expect(views.facilitator.notes).toEqual([]);
    expect(views.board.notes).toEqual([]);
    for (const who of WHO) {
      const wire = JSON.stringify(views[who]);
      for (const [text, mineFor] of [['Author note', 'author'], ['Other note', 'other'], ['Owner note', 'owner']] as const) {
        if (who === mineFor) expect(wire).toContain(text);
        else expect(wire, `${who} must not receive ${text}`).not.toContain(text);
      }
    }
  });
});

describe('evaluations', () => {
  it('aggregates for all, one’s own only to oneself, comments only to the facilitator', () => {
    const r = round();
    for (let i = 0; i < 5; i++) r.sim.tick(MIN).next();
    expect(r.sim.phase).toBe('evaluate');
    let views = r.views();
    for (const who of WHO) expect(views[who].evaluation).toEqual({ count: 0, usefulness: null, process: null, mine: null, comments: [] });

    r.sim.send('evaluation:submit', { usefulness: 5, process: 4, comment: 'Great round' }, as(r.author));
    r.sim.send('evaluation:submit', { usefulness: 2, process: 3, comment: 'Too fast' }, as(r.other));
    r.sim.send('evaluation:submit', { usefulness: 4, process: 3, comment: '' }, as(r.owner));
    views = r.views();
    for (const who of WHO) {
      expect(views[who].evaluation.count).toBe(3);
      expect(views[who].evaluation.usefulness).toBe(3.7); // 11 / 3, one decimal
      expect(views[who].evaluation.process).toBe(3.3);
    }
    expect(views.author.evaluation.mine).toEqual({ participantId: r.author, usefulness: 5, process: 4, comment: 'Great round' });
    expect(views.other.evaluation.mine?.comment).toBe('Too fast');
    expect(views.owner.evaluation.mine?.usefulness).toBe(4);
    expect(views.facilitator.evaluation.mine).toBeNull();
    expect(views.board.evaluation.mine).toBeNull();

    expect(views.facilitator.evaluation.comments).toEqual(['Great round', 'Too fast']);
    for (const who of ['owner', 'author', 'other', 'board'] as const) expect(views[who].evaluation.comments).toEqual([]);
    // Nobody but the facilitator and its writer receives a comment; the facilitator's carry no names.
    expect(JSON.stringify(views.board)).not.toContain('Great round');
    expect(JSON.stringify(views.owner)).not.toContain('Great round');
    expect(JSON.stringify(views.other)).not.toContain('Great round');
    expect(JSON.stringify(views.author)).not.toContain('Too fast');
    expect(JSON.stringify(views.facilitator.evaluation)).not.toContain(AUTHOR_ID);
  });
});

describe('dots and who I am', () => {
  it('dotsLeft and my votes are per viewer; challenge totals are for all', () => {
    const r = round({ dots: 3 });
    // Back to choose to vote (back from present clears the focus).
    r.sim.back();
    expect(r.sim.phase).toBe('choose');
    r.sim.send('vote:cast', { challengeId: r.ownerC }, as(r.author));
    r.sim.send('vote:cast', { challengeId: r.ownerC }, as(r.author));
    r.sim.send('vote:cast', { challengeId: r.otherC }, as(r.other));
    const views = r.views();
    expect(views.author.me).toMatchObject({ role: 'participant', participantId: r.author, name: AUTHOR_NAME, dotsLeft: 1, votes: [r.ownerC, r.ownerC] });
    expect(views.other.me).toMatchObject({ dotsLeft: 2, votes: [r.otherC] });
    expect(views.owner.me).toMatchObject({ dotsLeft: 3, votes: [] });
    for (const who of ['facilitator', 'board'] as const) {
      expect(views[who].me).toEqual({ role: who, participantId: null, name: null, isOwner: false, dotsLeft: 0, votes: [] });
    }
    for (const who of WHO) {
      expect(views[who].challenges.map((c) => [c.id, c.votes])).toEqual([
        [r.ownerC, 2],
        [r.otherC, 1],
      ]);
    }
  });

  it('isOwner, ownerId, phase, timer and turn are the same facts on every screen', () => {
    const r = round();
    const online = new Set([r.owner]);
    const views = Object.fromEntries(WHO.map((w) => [w, viewFor(r.sim.state, r.viewers[w], online)])) as Record<Who, RoleView>;
    expect(views.owner.me.isOwner).toBe(true);
    for (const who of ['facilitator', 'author', 'other', 'board'] as const) expect(views[who].me.isOwner).toBe(false);
    for (const who of WHO) {
      const v = views[who];
      expect(v).toMatchObject({ phase: 'present', focusId: r.ownerC, ownerId: r.owner, turn: { index: 0, total: 0 }, timer: r.sim.ctx.timer });
      expect(v.participants).toEqual([
        { id: r.owner, name: 'Ada', online: true },
        { id: AUTHOR_ID, name: AUTHOR_NAME, online: false },
        { id: r.other, name: 'Cy', online: false },
      ]);
    }
  });

  it('the mine flag marks only the viewer’s own contributions', () => {
    const r = round();
    r.sim.send('contribution:add', { kind: 'question', text: 'a', anonymous: false }, as(r.author), { id: 'k-a' });
    r.sim.send('contribution:add', { kind: 'question', text: 'b', anonymous: false }, as(r.other), { id: 'k-b' });
    const views = r.views();
    const mine = (v: RoleView) => v.contributions.filter((c: ContributionView) => c.mine).map((c) => c.id);
    expect(mine(views.author)).toEqual(['k-a']);
    expect(mine(views.other)).toEqual(['k-b']);
    expect(mine(views.owner)).toEqual([]);
    expect(mine(views.facilitator)).toEqual([]);
    expect(mine(views.board)).toEqual([]);
  });
});
