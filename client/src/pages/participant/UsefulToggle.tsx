import { useTranslation } from '../../i18n';
import type { ContributionView } from '@kollegium/shared';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';

/** The owner marks what helped; a toggle button, so its state is read out as pressed or not. */
export function UsefulToggle({ contribution }: { contribution: ContributionView }) {
  const { t } = useTranslation();
  const action = useAction();
  return (
    <span className="useful-toggle">
      <button
        type="button"
        className={`btn btn-small ${contribution.useful ? 'btn-primary' : 'btn-secondary'}${action.pending ? ' is-pending' : ''}`}
        aria-pressed={contribution.useful}
        aria-disabled={action.pending || undefined}
        aria-busy={action.pending || undefined}
        onClick={() => void action.run('contribution:markUseful', { contributionId: contribution.id, useful: !contribution.useful })}
      >
        {contribution.useful && <span aria-hidden="true">✓ </span>}
        {t('owner.markUseful')}
      </button>
      <ActionFeedback action={action} />
    </span>
  );
}
