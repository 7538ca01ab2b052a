import { useRef } from 'react';
import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { currentOrder } from './order';

/** Everyone presents: the order of turns, changed with up/down buttons (keyboard friendly, no dragging). */
export function OrderEditor({ order, onChange }: { order: string[]; onChange: (order: string[]) => void }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const listRef = useRef<HTMLOListElement>(null);
  const ids = currentOrder(order, view);

  const move = (index: number, delta: -1 | 1) => {
    const next = [...ids];
    const [item] = next.splice(index, 1);
    next.splice(index + delta, 0, item!);
    onChange(next);
    // Keep keyboard focus on the moved item; at the top or bottom its pressed button is disabled.
    requestAnimationFrame(() => {
      const row = listRef.current?.querySelector<HTMLElement>(`[data-order-id="${item}"]`);
      const same = row?.querySelector<HTMLButtonElement>(`button[data-dir="${delta}"]:not(:disabled)`);
      (same ?? row?.querySelector<HTMLButtonElement>('button:not(:disabled)'))?.focus();
    });
  };

  if (ids.length === 0) return null;
  return (
    <ol className="order-list" aria-label={t('controls.orderLabel')} ref={listRef}>
      {ids.map((id, i) => {
        const c = view.challenges.find((x) => x.id === id)!;
        return (
          <li key={id} className="order-item" data-order-id={id}>
            <span className="order-text">
              <strong>{c.ownerName}</strong> — {c.title}
            </span>
            <span className="row">
              <button
                type="button"
                className="btn btn-small btn-secondary"
                data-dir="-1"
                disabled={i === 0}
                aria-label={t('controls.moveUp', { name: c.ownerName })}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn-small btn-secondary"
                data-dir="1"
                disabled={i === ids.length - 1}
                aria-label={t('controls.moveDown', { name: c.ownerName })}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
