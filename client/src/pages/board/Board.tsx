import { useTranslation } from '../../i18n';
import { useSession } from '../../lib/session';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhaseBar } from '../../components/PhaseBar';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { FocusChallenge } from '../../components/FocusChallenge';
import { ContributionList } from '../../components/ContributionList';
import { HeldNotice } from '../../components/HeldNotice';
import { NextStepsList } from '../../components/NextStepsList';
import { QrCode } from './QrCode';

const DISCUSSING = ['present', 'clarify', 'reflect', 'respond', 'nextSteps'];

/** The projected board: readable from the back of the room, nothing to click. */
export function Board() {
  const { t, language } = useTranslation();
  const { view } = useSession();
  useDocumentTitle(view.title);
  const joinUrl = `${location.origin}/join/${view.code}`;
  const focus = view.challenges.find((c) => c.id === view.focusId);
  const discussing = DISCUSSING.includes(view.phase);
  // While the group works on a challenge the join panel shrinks to make room for contributions.
  const compact = discussing;
  const steps = view.nextSteps.filter((s) => s.challengeId === view.focusId);
  const stepsFirst = (view.phase === 'respond' || view.phase === 'nextSteps') && steps.length > 0;
  const fmt = (v: number | null) =>
    v === null ? '–' : v.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  return (
    <div className={`board${compact ? ' board-compact' : ''}`}>
      <LiveAnnouncer view={view} />
      <div className="board-main">
        <h1 className="board-title">{view.title}</h1>
        <PhaseBar view={view} className="board-phase" />

        {(view.phase === 'lobby' || view.phase === 'choose') && (
          <section className="board-section" aria-labelledby="board-people">
            <h2 id="board-people">
              {t('participants.count', { count: view.participants.length, online: view.participants.filter((p) => p.online).length })}
            </h2>
            <ul className="board-people" aria-label={t('participants.listLabel')}>
              {view.participants.map((p) => (
                <li key={p.id}>{p.name}</li>
              ))}
            </ul>
          </section>
        )}

        {view.phase === 'choose' && (
          <section className="board-section" aria-labelledby="board-challenges">
            <h2 id="board-challenges">{t('vote.heading')}</h2>
            <ul className="board-votes" aria-label={t('challenges.listLabel')}>
              {[...view.challenges]
                .sort((a, b) => b.votes - a.votes)
                .map((c) => (
                  <li key={c.id}>
                    <span className="board-vote-title">{c.title}</span>
                    <span className="board-vote-count">{t('vote.count', { count: c.votes })}</span>
                  </li>
                ))}
            </ul>
          </section>
        )}

        {focus && (view.phase === 'confirm' || discussing) && <FocusChallenge challenge={focus} className="board-focus" />}

        {(view.phase === 'evaluate' || view.phase === 'ended') && (
          <section className="board-section" aria-labelledby="board-eval">
            <h2 id="board-eval">{t('evaluation.resultsHeading')}</h2>
            <dl className="stats board-stats">
              <div>
                <dt>{t('evaluation.responses')}</dt>
                <dd>{view.evaluation.count}</dd>
              </div>
              <div>
                <dt>{t('evaluation.usefulnessShort')}</dt>
                <dd>{fmt(view.evaluation.usefulness)}</dd>
              </div>
              <div>
                <dt>{t('evaluation.processShort')}</dt>
                <dd>{fmt(view.evaluation.process)}</dd>
              </div>
            </dl>
          </section>
        )}
      </div>

      <aside className="board-join" aria-label={t('board.joinLabel')}>
        <p className="board-join-text">{t('board.joinAt', { host: location.host })}</p>
        <p className="board-code" data-testid="join-code">
          {view.code}
        </p>
        <QrCode text={joinUrl} label={t('board.qrLabel', { url: joinUrl })} />
      </aside>

      {discussing && (
        <section className="board-section board-wide" aria-labelledby="board-contributions">
          {/* Once the owner writes next steps they are the point of the phase: they come first. */}
          {stepsFirst && (
            <div className="board-steps-block">
              <h2>{t('nextSteps.heading', { name: focus?.ownerName ?? '' })}</h2>
              <NextStepsList steps={steps} className="board-steps" />
            </div>
          )}
          <h2 id="board-contributions">{t('contribution.heading')}</h2>
          <HeldNotice count={view.heldCount} className="board-held" />
          <ContributionList
            contributions={view.contributions.filter((c) => c.challengeId === view.focusId && !c.hidden)}
            limit={stepsFirst ? 6 : 12}
            className="board-list"
          />
        </section>
      )}
    </div>
  );
}
