import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { ChallengeForm } from './ChallengeForm';

export function LobbyPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId);
  return (
    <>
      <p className="phase-hint">{view.format === 'everyone' ? t('participant.lobbyEveryone') : t('participant.lobbyFocus')}</p>
      <ChallengeForm mine={mine} />
      <p className="muted">{t('participant.waitingForStart', { count: view.participants.length })}</p>
    </>
  );
}
