import { useTranslation } from '../../i18n';
import type { ChallengeView } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';
import { ChallengeForm } from './ChallengeForm';

/** Dot voting: each participant places a few dots on the challenges they want to work on. */
export function ChoosePanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId);
  return (
    <>
      <section className="card" aria-labelledby="vote-heading">
        <h2 id="vote-heading">{t('vote.heading')}</h2>
        <p className="dots-left" role="status">
          {t('vote.dotsLeft', { count: view.me.dotsLeft, total: view.settings.dots })}
        </p>
        {view.challenges.length === 0 ? (
          <p className="muted">{t('vote.noChallenges')}</p>
        ) : (
          <ul className="vote-list" aria-label={t('vote.listLabel')}>
            {view.challenges.map((c) => (
              <VoteItem key={c.id} challenge={c} />
            ))}
          </ul>
        )}
      </section>
      <details className="card">
        <summary>{mine ? t('challengeForm.editHeading') : t('challengeForm.heading')}</summary>
        <ChallengeForm mine={mine} />
      </details>
    </>
  );
}

function VoteItem({ challenge }: { challenge: ChallengeView }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const cast = useAction();
  const retract = useAction();
  const myDots = view.me.votes.filter((id) => id === challenge.id).length;
  return (
    <li className="vote-item">
      <div className="vote-text">
        <h3 className="vote-title">{challenge.title}</h3>
        <p className="muted">{t('challenge.by', { name: challenge.ownerName })}</p>
        <p className="vote-question">{challenge.question}</p>
      </div>
      <div className="vote-controls">
        <p className="vote-count">
          {t('vote.count', { count: challenge.votes })}
          {myDots > 0 && <span className="muted"> · {t('vote.mine', { count: myDots })}</span>}
        </p>
        <div className="row">
          <button
            type="button"
            className={`btn btn-primary${cast.pending ? ' is-pending' : ''}`}
            disabled={view.me.dotsLeft === 0}
            aria-disabled={cast.pending || undefined}
            aria-busy={cast.pending || undefined}
            aria-label={t('vote.castLabel', { title: challenge.title })}
            onClick={() => void cast.run('vote:cast', { challengeId: challenge.id })}
          >
            <span aria-hidden="true">+ </span>
            {t('vote.cast')}
          </button>
          <button
            type="button"
            className={`btn btn-secondary${retract.pending ? ' is-pending' : ''}`}
            disabled={myDots === 0}
            aria-disabled={retract.pending || undefined}
            aria-busy={retract.pending || undefined}
            aria-label={t('vote.retractLabel', { title: challenge.title })}
            onClick={() => void retract.run('vote:retract', { challengeId: challenge.id })}
          >
            <span aria-hidden="true">− </span>
            {t('vote.retract')}
          </button>
        </div>
        <ActionFeedback action={cast} />
        <ActionFeedback action={retract} />
      </div>
    </li>
  );
}
