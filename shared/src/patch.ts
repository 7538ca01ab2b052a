import { dequal } from 'dequal/lite';
import type { RoundState } from './engine.js';
import type { RoundContext } from './model.js';
import type { CollectionPatch, ViewPatch } from './protocol.js';
import {
  challengeViewOf,
  contributionViewOf,
  indexOf,
  lastSharedHead,
  meOf,
  personalHead,
  sharedHeadFor,
  viewFor,
  type PersonalHead,
  type RoleView,
  type SharedHead,
  type ViewHead,
  type Viewer,
} from './view.js';

/*
 * What changed for a viewer from one version to the next: patches, made from the same per-item
 * functions as the views (view.ts), so what a role may see is still decided there alone.
 */

/** Which items of the two collections may look different from `prev` to `next`, for any viewer. */
interface Changes {
  contributions: number[];
  challenges: number[];
  /** Authors of those contributions: the only participants who may see them differently from others. */
  authors: Set<string>;
}
const changesTo = new WeakMap<RoundContext, { from: RoundContext; changes: Changes }>();

function changesBetween(prev: RoundContext, next: RoundContext): Changes {
  const cached = changesTo.get(next);
  if (cached?.from === prev) return cached.changes;
  // The round only appends to or replaces items of its collections, so an item that is the same
  // object in both states is unchanged unless what its view depends on changed: a reveal.
  const newlyRevealed = next.revealed.filter((id) => !prev.revealed.includes(id));
  const contributions: number[] = [];
  next.contributions.forEach((c, i) => {
    if (prev.contributions[i] !== c || newlyRevealed.includes(c.challengeId)) contributions.push(i);
  });
  const votesChanged = prev.votes !== next.votes;
  const challenges: number[] = [];
  next.challenges.forEach((c, i) => {
    if (votesChanged || prev.challenges[i] !== c) challenges.push(i);
  });
  const changes = { contributions, challenges, authors: new Set(contributions.map((i) => next.contributions[i]!.authorId)) };
  changesTo.set(next, { from: prev, changes });
  return changes;
}

type PatchBody = Pick<ViewPatch, 'view' | 'contributions' | 'challenges'>;

/** The two collections' part of a patch: the changed items, as this viewer may see them. */
function collectionsPatch(next: RoundState, changes: Changes, viewer: Viewer): Omit<PatchBody, 'view'> {
  const ctx = next.context;
  const index = indexOf(ctx);
  const contributions: ViewPatch['contributions'] = { upsert: [], remove: [] };
  for (const i of changes.contributions) {
    const c = ctx.contributions[i]!;
    const view = contributionViewOf(ctx, index, c, viewer, i);
    if (view) contributions.upsert.push(view);
    else contributions.remove.push(c.id);
  }
  return { contributions, challenges: { upsert: changes.challenges.map((i) => challengeViewOf(ctx, index, i)), remove: [] } };
}

/** The parts of `parts` that differ from what the viewer has. */
function changedParts(known: Partial<ViewHead>, parts: Partial<ViewHead>, into: Partial<Record<keyof ViewHead, unknown>> = {}) {
  for (const key in parts) {
    const value = parts[key as keyof ViewHead];
    if (!dequal(known[key as keyof ViewHead], value)) into[key as keyof ViewHead] = value;
  }
  return into;
}

/**
 * What changed for a viewer from `prev` to `next`, built from the same per-item functions as
 * viewFor. The round only appends to or replaces items of its collections, so items that are
 * the same object in both states are unchanged unless what their view depends on changed.
 *
 * `known` is the rest of the view as far as the viewer has it (what it was last sent); the patch
 * carries only the parts that differ from it, so a contribution does not resend the list of
 * people. Parts missing from `known` are sent: without it, the patch carries all of them.
 */
export function patchFor(
  prev: RoundState,
  next: RoundState,
  viewer: Viewer,
  online: ReadonlySet<string> = new Set(),
  known: Partial<ViewHead> = {},
): PatchBody {
  const view = changedParts(known, sharedHeadFor(next, online, lastSharedHead(prev)));
  changedParts(known, personalHead(next, viewer), view);
  return { view: view as Partial<ViewHead>, ...collectionsPatch(next, changesBetween(prev.context, next.context), viewer) };
}

/**
 * What a viewer was last sent of the rest of its view, as the two objects it was made of: the
 * part every viewer shares and its own part. The server keeps one per connection.
 */
export interface ViewBasis {
  readonly shared: SharedHead;
  readonly personal: PersonalHead;
}

/** viewFor, and the basis a patch to that view starts from. */
export function viewWithBasis(state: RoundState, viewer: Viewer, online: ReadonlySet<string>): { view: RoleView; basis: ViewBasis } {
  const basis = { shared: sharedHeadFor(state, online), personal: personalHead(state, viewer) };
  return { view: viewFor(state, viewer, online), basis };
}

const objectIds = new WeakMap<object, number>();
let lastObjectId = 0;
const idOf = (value: object) => {
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, (id = ++lastObjectId));
  return id;
};

/**
 * Patches made for one state, by what they depend on (see patchWithBasis). Kept per presence set,
 * which the server makes anew for each round of sending, so they are dropped once sent.
 */
const patchesTo = new WeakMap<ReadonlySet<string>, WeakMap<RoundState, Map<string, PatchBody>>>();

/**
 * patchFor for a viewer that was sent `basis`, made to serve a whole room: the same patch as
 * patchFor with the head that basis stands for, and `key`, equal for viewers whose patches are
 * certain to be alike — the same object is returned to all of them, so it is made and encoded
 * once. A patch depends on the viewer only through its own part of the head and the side it
 * sees changed contributions from (author, facilitator, anyone else); viewers whose own part did
 * not change and who wrote none of the changed contributions share one.
 */
export function patchWithBasis(
  prev: RoundState,
  next: RoundState,
  viewer: Viewer,
  online: ReadonlySet<string>,
  basis: ViewBasis | undefined,
): { patch: PatchBody; basis: ViewBasis; key: string | null } {
  const shared = sharedHeadFor(next, online, lastSharedHead(prev));
  const personal = personalHead(next, viewer);
  const changes = changesBetween(prev.context, next.context);
  const me = meOf(viewer);
  const after: ViewBasis = basis?.shared === shared && basis.personal === personal ? basis : { shared, personal };
  const key =
    basis && basis.personal === personal && !(me && changes.authors.has(me))
      ? `${idOf(prev)} ${idOf(basis.shared)} ${idOf(shared)} ${viewer.role === 'facilitator' ? 'facilitator' : 'other'}`
      : null;
  let forOnline = patchesTo.get(online);
  if (!forOnline) patchesTo.set(online, (forOnline = new WeakMap()));
  let made = forOnline.get(next);
  const earlier = key === null ? undefined : made?.get(key);
  if (earlier) return { patch: earlier, basis: after, key };
  const view = changedParts(basis?.shared ?? {}, shared);
  if (basis?.personal !== personal) changedParts(basis?.personal ?? {}, personal, view);
  const patch = { view: view as Partial<ViewHead>, ...collectionsPatch(next, changes, viewer) };
  if (key !== null) {
    if (!made) forOnline.set(next, (made = new Map()));
    made.set(key, patch);
  }
  return { patch, basis: after, key };
}

function merge<T extends { id: string }>(items: readonly T[], patch: CollectionPatch<T>, byOrder?: (item: T) => number): T[] {
  if (!patch.upsert.length && !patch.remove.length) return items as T[];
  const removed = new Set(patch.remove);
  const out = items.filter((item) => !removed.has(item.id));
  const at = new Map(out.map((item, i) => [item.id, i]));
  let unordered = false;
  for (const item of patch.upsert) {
    const i = at.get(item.id);
    if (i !== undefined) out[i] = item;
    else {
      if (byOrder && out.length && byOrder(out[out.length - 1]!) > byOrder(item)) unordered = true;
      at.set(item.id, out.length);
      out.push(item);
    }
  }
  // An older item that becomes visible (a reveal) goes back to its place in the round.
  if (unordered && byOrder) out.sort((x, y) => byOrder(x) - byOrder(y));
  return out;
}

/** Applies a patch to the view it was made against. */
export function applyPatch(view: RoleView, patch: Pick<ViewPatch, 'view' | 'contributions' | 'challenges'>): RoleView {
  return {
    ...view,
    ...patch.view,
    contributions: merge(view.contributions, patch.contributions, (c) => c.order),
    challenges: merge(view.challenges, patch.challenges),
  };
}
