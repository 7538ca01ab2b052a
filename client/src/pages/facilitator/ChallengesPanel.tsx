import { useTranslation } from '../../i18n';
import type { ChallengeView } from '@kollegium/shared';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionButton } from '../../components/ActionButton';

/** Submitted challenges with their dots; while choosing, each can be picked directly. */
export function ChallengesPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const canPick = view.phase === 'choose' || view.phase === 'confirm';
  const sorted = view.phase === 'choose' || view.phase === 'confirm' ? [...view.challenges].sort((a, b) => b.votes - a.votes) : view.challenges;
  return (
    <section className="card" aria-labelledby="challenges-heading">
      <h2 id="challenges-heading">{t('challenges.heading', { count: view.challenges.length })}</h2>
      {view.challenges.length === 0 ? (
        <p className="muted">{t('challenges.none')}</p>
      ) : (
        <ul className="challenge-list" aria-label={t('challenges.listLabel')}>
          {sorted.map((c) => (
            <ChallengeRow key={c.id} challenge={c} canPick={canPick} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ChallengeRow({ challenge, canPick }: { challenge: ChallengeView; canPick: boolean }) {
  const { t } = useTranslation();
  const { view } = useSession();
  const pick = useAction();
  const inFocus = view.focusId === challenge.id;
  const turn = view.format === 'everyone' ? view.order.indexOf(challenge.id) : -1;
  return (
    <li className={`challenge-row${inFocus ? ' is-focus' : ''}`}>
      <div>
        <strong className="challenge-row-title">{challenge.title}</strong>
        <div className="muted">
          {t('challenge.by', { name: challenge.ownerName })}
          {view.format === 'focus' && <> · {t('vote.count', { count: challenge.votes })}</>}
          {turn >= 0 && <> · {t('challenges.turn', { index: turn + 1 })}</>}
        </div>
      </div>
      {inFocus && <span className="badge badge-focus">{t('challenges.inFocus')}</span>}
      {canPick && !inFocus && (
        <span className="challenge-row-action">
          <ActionButton
            action={pick}
            className="btn-small"
            aria-label={t('challenges.pickLabel', { title: challenge.title })}
            onRun={() => pick.run('challenge:pick', { challengeId: challenge.id })}
          >
            {t('challenges.pick')}
          </ActionButton>
        </span>
      )}
    </li>
  );
}
