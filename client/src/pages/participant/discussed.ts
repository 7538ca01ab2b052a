import type { RoleView } from '@kollegium/shared';

/** Everyone presents: a presenter can read their summary once their own turn has started. */
export function ownChallengeDiscussed(view: RoleView, challengeId: string): boolean {
  if (view.phase === 'lobby' || view.phase === 'choose') return false;
  if (view.format === 'focus') return view.focusId === challengeId && view.phase !== 'confirm';
  const index = view.order.indexOf(challengeId);
  return index !== -1 && index <= view.turn.index;
}
