import { useEffect, useRef, useState } from 'react';
import { useTranslation } from '../i18n';
import type { RoleView } from '@kollegium/shared';

/**
 * A polite live region for what changed without the user doing anything: a new phase, new
 * contributions on the challenge in focus. The ticking timer is deliberately not announced.
 */
export function LiveAnnouncer({ view }: { view: RoleView }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState('');
  const previous = useRef<{ phase: string; seen: Set<string> } | null>(null);

  useEffect(() => {
    const focusContributions = view.contributions.filter((c) => c.challengeId === view.focusId && !c.hidden);
    const seen = new Set(view.contributions.map((c) => c.id));
    const prev = previous.current;
    previous.current = { phase: view.phase, seen };
    if (!prev) return; // nothing to announce on first load
    if (prev.phase !== view.phase) {
      setMessage(t('announce.phase', { phase: t(`phases.${view.phase}`) }));
      return;
    }
    const fresh = focusContributions.filter((c) => !prev.seen.has(c.id) && !c.mine);
    if (fresh.length === 1) {
      const c = fresh[0]!;
      setMessage(t('announce.contribution', { kind: t(`kinds.${c.kind}`), text: c.text.slice(0, 140) }));
    } else if (fresh.length > 1) {
      setMessage(t('announce.contributions', { count: fresh.length }));
    }
  }, [view, t]);

  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
