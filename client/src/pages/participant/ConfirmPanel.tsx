import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionButton } from '../../components/ActionButton';
import { FocusChallenge } from '../../components/FocusChallenge';

/** The chosen owner confirms they are ready to be in focus; everyone else waits. */
export function ConfirmPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const confirm = useAction();
  const focus = view.challenges.find((c) => c.id === view.focusId);
  return (
    <>
      {focus && <FocusChallenge challenge={focus} />}
      {view.me.isOwner ? (
        <div className="card callout">
          <p>{t('confirm.ownerText')}</p>
          <ActionButton action={confirm} variant="primary" onRun={() => confirm.run('challenge:confirm', {})}>
            {t('confirm.button')}
          </ActionButton>
        </div>
      ) : (
        <p className="phase-hint">{t('confirm.waiting', { name: focus?.ownerName ?? '' })}</p>
      )}
    </>
  );
}
