import type { ReactNode } from 'react';
import { useTranslation } from '../i18n';
import type { ContributionView } from '@kollegium/shared';

interface Props {
  contributions: ContributionView[];
  /** Role-specific buttons for one item (mark useful, hide). */
  renderControls?: (c: ContributionView) => ReactNode;
  /** Show at most this many (newest first); the board has room for a screenful only. */
  limit?: number;
  className?: string;
}

/** Newest first, so what was just posted is visible without scrolling. */
export function ContributionList({ contributions, renderControls, limit, className = '' }: Props) {
  const { t } = useTranslation();
  const sorted = [...contributions].sort((a, b) => b.order - a.order);
  const shown = limit ? sorted.slice(0, limit) : sorted;
  return (
    <>
      <ul className={`contributions ${className}`} aria-label={t('contribution.listLabel')} data-testid="contributions">
        {shown.map((c) => (
          <ContributionItem key={c.id} c={c} controls={renderControls?.(c)} />
        ))}
      </ul>
      {contributions.length === 0 && <p className="muted empty">{t('contribution.none')}</p>}
      {limit && sorted.length > limit && <p className="muted">{t('contribution.more', { count: sorted.length - limit })}</p>}
    </>
  );
}

function ContributionItem({ c, controls }: { c: ContributionView; controls?: ReactNode }) {
  const { t } = useTranslation();
  const author = c.anonymous
    ? c.mine
      ? t('contribution.youAnonymous')
      : t('contribution.anonymous')
    : c.mine
      ? t('contribution.you')
      : (c.authorName ?? t('contribution.anonymous'));
  return (
    <li className={`contribution kind-${c.kind}${c.useful ? ' is-useful' : ''}${c.hidden ? ' is-hidden' : ''}`} data-testid="contribution">
      <div className="contribution-head">
        <span className={`kind-badge kind-badge-${c.kind}`}>{t(`kinds.${c.kind}`)}</span>
        {c.useful && <span className="badge badge-useful">★ {t('contribution.useful')}</span>}
        {c.held && <span className="badge badge-held">{t('contribution.held')}</span>}
        {c.hidden && <span className="badge badge-hidden">{t('contribution.hidden')}</span>}
      </div>
      <p className="contribution-text">{c.text}</p>
      <div className="contribution-foot">
        <span className="contribution-author">{author}</span>
        {controls}
      </div>
    </li>
  );
}
