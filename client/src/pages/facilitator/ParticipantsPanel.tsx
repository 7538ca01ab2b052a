import { useState } from 'react';
import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/useAction';
import { ActionFeedback } from '../../components/ActionFeedback';

type Person = ReturnType<typeof useSession>['view']['participants'][number];

/** Who is here and who has a challenge in: "see who is here and who is stuck". */
export function ParticipantsPanel() {
  const { t } = useTranslation();
  const { view } = useSession();
  const online = view.participants.filter((p) => p.online).length;
  const withChallenge = new Set(view.challenges.map((c) => c.ownerId));
  return (
    <section className="card" aria-labelledby="participants-heading">
      <h2 id="participants-heading">{t('participants.heading')}</h2>
      <p className="muted" data-testid="participant-count">
        {t('participants.count', { count: view.participants.length, online })}
      </p>
      {view.participants.length === 0 ? (
        <p className="muted">{t('participants.none')}</p>
      ) : (
        <ul className="people" aria-label={t('participants.listLabel')}>
          {view.participants.map((p) => (
            <PersonRow key={p.id} person={p} hasChallenge={withChallenge.has(p.id)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PersonRow({ person, hasChallenge }: { person: Person; hasChallenge: boolean }) {
  const { t } = useTranslation();
  const remove = useAction();
  // Removal cannot be undone, so it takes a second, explicit click.
  const [confirming, setConfirming] = useState(false);
  return (
    <li className="person">
      <div className="person-line">
        <span className={`dot ${person.online ? 'dot-online' : 'dot-offline'}`} aria-hidden="true" />
        <span className="person-name">{person.name}</span>
        <span className="sr-only">
          {', '}
          {person.online ? t('participants.online') : t('participants.offline')}
        </span>
        {hasChallenge && <span className="badge">{t('participants.hasChallenge')}</span>}
        {!confirming && (
          <button
            type="button"
            className="btn btn-small btn-quiet person-remove"
            aria-label={t('participants.removeLabel', { name: person.name })}
            onClick={() => setConfirming(true)}
          >
            {t('participants.remove')}
          </button>
        )}
      </div>
      {confirming && (
        <div className="person-confirm" role="group" aria-label={t('participants.removeLabel', { name: person.name })}>
          <p>{t('participants.confirmRemove', { name: person.name })}</p>
          <div className="row">
            <button
              type="button"
              className={`btn btn-small btn-danger${remove.pending ? ' is-pending' : ''}`}
              aria-disabled={remove.pending || undefined}
              aria-busy={remove.pending || undefined}
              onClick={() => void remove.run('participant:remove', { participantId: person.id })}
            >
              {t('participants.confirmYes')}
            </button>
            <button type="button" className="btn btn-small btn-secondary" onClick={() => setConfirming(false)}>
              {t('participants.cancel')}
            </button>
          </div>
          <ActionFeedback action={remove} />
        </div>
      )}
    </li>
  );
}
