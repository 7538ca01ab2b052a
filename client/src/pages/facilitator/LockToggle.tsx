import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';

/** Once everyone is in, the facilitator can close the door: a locked session refuses new joins. */
export function LockToggle() {
  const { t } = useTranslation();
  const { view } = useSession();
  const action = useAction();
  const locked = view.settings.locked;
  return (
    <div className="lock-toggle">
      <button
        type="button"
        className={`btn btn-secondary${action.pending ? ' is-pending' : ''}`}
        aria-pressed={locked}
        aria-describedby="lock-hint"
        aria-disabled={action.pending || undefined}
        aria-busy={action.pending || undefined}
        onClick={() => void action.run('session:lock', { locked: !locked })}
      >
        {locked && <span aria-hidden="true">✓ </span>}
        {t('share.lock')}
      </button>
      <p id="lock-hint" className="hint">
        {locked ? t('share.locked') : t('share.lockHint')}
      </p>
      <ActionFeedback action={action} />
    </div>
  );
}
