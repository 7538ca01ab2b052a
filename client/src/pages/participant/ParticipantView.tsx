import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../lib/session';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhaseBar } from '../../components/PhaseBar';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { Summary } from './Summary';
import { LobbyPanel } from './LobbyPanel';
import { ChoosePanel } from './ChoosePanel';
import { ConfirmPanel } from './ConfirmPanel';
import { DiscussionPanel } from './DiscussionPanel';
import { EvaluationForm } from './EvaluationForm';
import { ownChallengeDiscussed } from './discussed';

/** The phone-first participant page: what to do now, for the phase the round is in. */
export function ParticipantView() {
  const { t } = useTranslation();
  const { view } = useSession();
  const [showSummary, setShowSummary] = useState(false);
  useDocumentTitle(view.title);

  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId);
  const canSummarize = view.phase !== 'ended' && mine !== undefined && (view.me.isOwner || ownChallengeDiscussed(view, mine.id));

  return (
    <>
      <div className="session-head">
        <h1>{view.title}</h1>
        {view.me.name && <p className="muted whoami">{t('participant.signedInAs', { name: view.me.name })}</p>}
      </div>
      <PhaseBar view={view} className="sticky" />
      <LiveAnnouncer view={view} />
      {canSummarize && (
        <p className="no-print">
          <button type="button" className="btn btn-quiet" aria-expanded={showSummary} onClick={() => setShowSummary((s) => !s)}>
            {showSummary ? t('summary.backToRound') : t('summary.open')}
          </button>
        </p>
      )}
      {showSummary && canSummarize && mine ? <Summary challengeIds={[mine.id]} /> : <PhasePanel />}
    </>
  );
}

function PhasePanel() {
  const { view } = useSession();
  switch (view.phase) {
    case 'lobby':
      return <LobbyPanel />;
    case 'choose':
      return <ChoosePanel />;
    case 'confirm':
      return <ConfirmPanel />;
    case 'present':
    case 'clarify':
    case 'reflect':
    case 'respond':
    case 'nextSteps':
      return <DiscussionPanel />;
    case 'evaluate':
      return <EvaluationForm />;
    case 'ended':
      return <EndedPanel />;
  }
}

function EndedPanel() {
  const { view } = useSession();
  const ids = discussedIds(view);
  return (
    <>
      {view.evaluation.mine === null && <EvaluationForm />}
      <Summary challengeIds={ids} />
    </>
  );
}

/** The challenges worked on in this round, the viewer's own first. */
function discussedIds(view: ReturnType<typeof useSession>['view']): string[] {
  const ids = view.format === 'everyone' ? [...view.order] : view.focusId ? [view.focusId] : [];
  const mine = view.challenges.find((c) => c.ownerId === view.me.participantId)?.id;
  return mine && ids.includes(mine) ? [mine, ...ids.filter((id) => id !== mine)] : ids;
}
