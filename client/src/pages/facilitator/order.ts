import type { RoleView } from '@kollegium/shared';

/** The order as edited, with challenges submitted since then appended in submission order. */
export function currentOrder(order: string[], view: RoleView): string[] {
  const ids = view.challenges.map((c) => c.id);
  const kept = order.filter((id) => ids.includes(id));
  return [...kept, ...ids.filter((id) => !kept.includes(id))];
}
