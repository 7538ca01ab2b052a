import { useId } from 'react';
import { useTranslation } from '../i18n';
import { useSession } from '../lib/session';
import { entryText, useOutbox } from '../lib/useOutbox';
import type { OutboxCommand, OutboxEntry } from '../lib/outbox';
import { toErrorCode } from '../lib/errors';

/** Entries of the outbox still to show: everything but what the view already contains. */
export function usePendingEntries(names: readonly OutboxCommand[]): OutboxEntry[] {
  const { seq } = useSession();
  const { state } = useOutbox();
  return state.entries.filter((e) => names.includes(e.name) && !(e.status === 'acked' && (e.seq ?? Infinity) <= seq));
}

/**
 * What this participant wrote that the server has not confirmed yet, shown where the item will
 * appear: "Sending…", a warning after a few seconds, or why it was not posted.
 */
export function PendingList({ names, newestFirst = false }: { names: readonly OutboxCommand[]; newestFirst?: boolean }) {
  const { t } = useTranslation();
  const inOrder = usePendingEntries(names);
  // Above a newest-first list, the newest first too (they are still sent oldest first).
  const entries = newestFirst ? [...inOrder].reverse() : inOrder;
  if (entries.length === 0) return null;
  return (
    <ul className="pending-list" aria-label={t('outbox.listLabel')} data-testid="pending-list">
      {entries.map((e) => (
        <PendingItem key={e.cid} entry={e} />
      ))}
    </ul>
  );
}

function PendingItem({ entry }: { entry: OutboxEntry }) {
  const { t } = useTranslation();
  const { status: connection } = useSession();
  const outbox = useOutbox();
  const id = useId();
  const text = entryText(entry);
  const waiting = entry.status === 'queued' || entry.status === 'sending';
  const slow = waiting && outbox.slow.has(entry.cid);

  const kind = entry.name === 'contribution:add' && typeof entry.payload.kind === 'string' ? entry.payload.kind : null;
  let status: string;
  if (entry.status === 'failed') status = t('outbox.failed', { reason: t(`errors.${toErrorCode(entry.code)}`) });
  else if (entry.status === 'acked') status = t('outbox.sent');
  else if (slow) status = connection === 'online' ? t('outbox.slowOnline') : t('outbox.slowOffline');
  else status = t('outbox.sending');

  return (
    <li
      className={`pending-item pending-${entry.status}${slow ? ' is-slow' : ''}${kind ? ` kind-${kind}` : ''}`}
      data-testid="pending-item"
      data-status={entry.status}
      aria-busy={waiting || undefined}
      aria-describedby={`${id}-status`}
    >
      {kind && (
        <div className="contribution-head">
          <span className={`kind-badge kind-badge-${kind}`}>{t(`kinds.${kind as 'question' | 'reflection' | 'suggestion'}`)}</span>
        </div>
      )}
      <p className="contribution-text">{text}</p>
      <p id={`${id}-status`} className={entry.status === 'failed' ? 'pending-status error' : 'pending-status'} data-testid="pending-status">
        {waiting && <span className="pending-spinner" aria-hidden="true" />}
        {status}
      </p>
      {entry.status === 'failed' && (
        <button type="button" className="btn btn-small btn-secondary" aria-label={t('outbox.dismissLabel', { text })} onClick={() => outbox.dismiss(entry.cid)}>
          {t('outbox.dismiss')}
        </button>
      )}
    </li>
  );
}
