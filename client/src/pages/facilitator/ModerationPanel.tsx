import { useTranslation } from '../../i18n';
import type { ContributionView } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ContributionList } from '../../components/ContributionList';
import { HeldNotice } from '../../components/HeldNotice';
import { ActionFeedback } from '../../components/ActionFeedback';

/** Live contributions on the challenge in focus, each with hide/unhide to protect the safe space. */
export function ModerationPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const contributions = view.contributions.filter((c) => c.challengeId === view.focusId);
  return (
    <section className="card" aria-labelledby="moderation-heading">
      <h2 id="moderation-heading">{t('contribution.heading')}</h2>
      <HeldNotice count={view.heldCount} />
      <ContributionList contributions={contributions} renderControls={(c) => <HideToggle contribution={c} />} />
    </section>
  );
}

function HideToggle({ contribution }: { contribution: ContributionView }) {
  const { t } = useTranslation();
  const action = useAction();
  return (
    <span className="no-print">
      <button
        type="button"
        className={`btn btn-small ${contribution.hidden ? 'btn-secondary' : 'btn-quiet'}${action.pending ? ' is-pending' : ''}`}
        aria-disabled={action.pending || undefined}
        aria-busy={action.pending || undefined}
        onClick={() => void action.run('contribution:hide', { contributionId: contribution.id, hidden: !contribution.hidden })}
      >
        {contribution.hidden ? t('moderation.unhide') : t('moderation.hide')}
      </button>
      <ActionFeedback action={action} />
    </span>
  );
}
